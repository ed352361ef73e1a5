using Microsoft.Extensions.Options;

namespace LiveIm.Hosting.Redis;

/// <summary>
/// Start-up validation of <see cref="RedisSettings"/>: the same <see cref="RedisSettings.ToOptions"/> the connection
/// uses, so whatever it refuses stops the process at start with the message that names the setting.
/// </summary>
public sealed class RedisSettingsCheck : IValidateOptions<RedisSettings>
{
    private readonly string _clientName;

    public RedisSettingsCheck(string clientName)
    {
        _clientName = clientName;
    }

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RedisSettings options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            options.ToOptions(_clientName);
            return ValidateOptionsResult.Success;
        }
        catch (InvalidOperationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}

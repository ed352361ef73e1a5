using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace LiveIm.Hosting.Auth;

/// <summary>
/// The project's one rule for secrets (signing keys, service and admin tokens): read from configuration; in the
/// Development environment a missing value falls back to a clearly marked development value; anywhere else a
/// missing value, one shorter than the minimum, or the (public) development value stops the process with a message
/// that names the setting and its environment variable.
/// </summary>
public static class SecretSetting
{
    /// <summary>Reads <paramref name="setting"/> under the rule above.</summary>
    /// <param name="configuration">Where settings come from.</param>
    /// <param name="environment">Development allows the development value.</param>
    /// <param name="setting">The configuration key, e.g. <c>Auth:SigningKey</c>.</param>
    /// <param name="developmentValue">The public value local runs use.</param>
    /// <param name="minBytes">Shortest accepted value in UTF-8 bytes.</param>
    /// <param name="kind">What the secret is, e.g. "key" or "token" (in messages).</param>
    /// <param name="purpose">What it is for (in the message when it is missing).</param>
    public static string Resolve(
        IConfiguration configuration, IHostEnvironment environment, string setting, string developmentValue, int minBytes,
        string kind, string purpose)
    {
        var value = configuration[setting];
        if (string.IsNullOrWhiteSpace(value))
        {
            if (environment.IsDevelopment())
            {
                return developmentValue;
            }

            throw new InvalidOperationException(
                $"Missing setting '{setting}' (environment variable {setting.Replace(":", "__", StringComparison.Ordinal)}): {purpose}, " +
                $"at least {minBytes} {Unit(kind)}. Only the Development environment runs with a built-in development {kind}.");
        }

        if (Encoding.UTF8.GetByteCount(value) < minBytes)
        {
            throw new InvalidOperationException($"Setting '{setting}' is shorter than {minBytes} {Unit(kind)}.");
        }

        if (value == developmentValue && !environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"Setting '{setting}' holds the development {kind}, which is public; set a real secret outside Development.");
        }

        return value;
    }

    // Keys are measured in bytes (HS256 wants 256 bits); tokens are typed by people, in characters (ASCII: the same).
    private static string Unit(string kind) => kind == "key" ? "bytes" : "characters";
}

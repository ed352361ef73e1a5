using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NATS.Client.Core;

namespace LiveIm.Hosting.Bus;

/// <summary>
/// Checks <see cref="BusSettings"/> at start-up (ValidateOnStart): the server list parses, at most one way of logging
/// in is configured and its files are readable and well-formed, TLS files load, and nothing development-only runs
/// elsewhere. Every message names the setting.
/// </summary>
public sealed class BusSettingsValidator : IValidateOptions<BusSettings>
{
    private const string S = BusSettings.Section;
    private readonly IHostEnvironment _environment;

    public BusSettingsValidator(IHostEnvironment environment)
    {
        _environment = environment;
    }

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, BusSettings options)
    {
        var errors = new List<string>();
        if (!NatsServerList.TryParse(options.Url, out var servers, out var urlError))
        {
            errors.Add(urlError!);
        }

        if (options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{S}:RequestTimeout must be more than 0 and at most 00:01:00, not {options.RequestTimeout}");
        }

        CheckAuthentication(options, errors);
        CheckTls(options.Tls, servers, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>The <see cref="TlsMode"/> of <c>Nats:Tls:Mode</c>, or null when it names none.</summary>
    public static TlsMode? ParseMode(string? mode) =>
        string.IsNullOrWhiteSpace(mode) ? TlsMode.Auto
        : Enum.TryParse<TlsMode>(mode.Trim(), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(mode, out _) ? parsed
        : null;

    private static void CheckAuthentication(BusSettings o, List<string> errors)
    {
        var ways = new List<string>();
        if (!string.IsNullOrEmpty(o.User) || !string.IsNullOrEmpty(o.Password))
        {
            ways.Add($"{S}:User/{S}:Password");
            if (string.IsNullOrEmpty(o.User) || string.IsNullOrEmpty(o.Password))
            {
                errors.Add($"{S}:User and {S}:Password go together: set both or neither");
            }
        }

        if (!string.IsNullOrEmpty(o.Token))
        {
            ways.Add($"{S}:Token");
        }

        if (!string.IsNullOrEmpty(o.NKeySeed))
        {
            ways.Add($"{S}:NKeySeed");
            if (NatsCredentials.UserPublicKey(o.NKeySeed) is null)
            {
                errors.Add($"{S}:NKeySeed is not an NKey user seed (it starts with 'SU'; a public key 'U...' is not enough)");
            }
        }

        if (!string.IsNullOrEmpty(o.NKeyFile))
        {
            ways.Add($"{S}:NKeyFile");
            if (!NatsCredentials.TryReadSeedFile($"{S}:NKeyFile", o.NKeyFile, out _, out var error))
            {
                errors.Add(error!);
            }
        }

        if (!string.IsNullOrEmpty(o.CredsFile))
        {
            ways.Add($"{S}:CredsFile");
            if (!NatsCredentials.TryCheckCredsFile($"{S}:CredsFile", o.CredsFile, out var error))
            {
                errors.Add(error!);
            }
        }

        if (ways.Count > 1)
        {
            errors.Add($"Set one way of logging in to NATS, not {string.Join(" and ", ways)}");
        }
    }

    private void CheckTls(BusTlsSettings tls, IReadOnlyList<Uri> servers, List<string> errors)
    {
        var mode = ParseMode(tls.Mode);
        if (mode is null)
        {
            errors.Add($"{S}:Tls:Mode must be Auto, Prefer, Require, Implicit or Disable, not '{tls.Mode}'");
        }
        else if (mode == TlsMode.Disable && servers.Any(s => s.Scheme is "tls" or "wss"))
        {
            errors.Add($"{S}:Tls:Mode is Disable but {S}:Url has a tls:// or wss:// server");
        }

        if (!string.IsNullOrEmpty(tls.CaFile))
        {
            try
            {
                var authorities = new X509Certificate2Collection();
                authorities.ImportFromPemFile(tls.CaFile);
                if (authorities.Count == 0)
                {
                    errors.Add($"{S}:Tls:CaFile: '{tls.CaFile}' holds no PEM certificate");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                errors.Add($"{S}:Tls:CaFile: cannot load '{tls.CaFile}' as PEM certificates: {ex.Message}");
            }
        }

        if (string.IsNullOrEmpty(tls.CertFile) != string.IsNullOrEmpty(tls.KeyFile))
        {
            errors.Add($"{S}:Tls:CertFile and {S}:Tls:KeyFile go together: set both or neither");
        }
        else if (!string.IsNullOrEmpty(tls.CertFile))
        {
            try
            {
                using var certificate = X509Certificate2.CreateFromPemFile(tls.CertFile, tls.KeyFile);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                errors.Add($"{S}:Tls:CertFile/{S}:Tls:KeyFile: cannot load '{tls.CertFile}' with its key: {ex.Message}");
            }
        }

        if (tls.InsecureSkipVerify && !_environment.IsDevelopment())
        {
            errors.Add($"{S}:Tls:InsecureSkipVerify accepts any server certificate and runs only in the Development environment");
        }
    }
}

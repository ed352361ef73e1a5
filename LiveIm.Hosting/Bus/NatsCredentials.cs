using NATS.NKeys;

namespace LiveIm.Hosting.Bus;

/// <summary>
/// Reads and checks the credential files of <c>Nats:NKeyFile</c> and <c>Nats:CredsFile</c> and the seed of
/// <c>Nats:NKeySeed</c> at start-up, so that a wrong path, an empty file or a pasted public key stops the process with
/// the setting's name instead of failing every connect in the background. Messages never contain the secrets.
/// </summary>
public static class NatsCredentials
{
    private const string JwtBegin = "-----BEGIN NATS USER JWT-----";
    private const string SeedBegin = "-----BEGIN USER NKEY SEED-----";

    /// <summary>The public key (<c>U...</c>) of a user seed (<c>SU...</c>), or null when <paramref name="seed"/> is not one.</summary>
    public static string? UserPublicKey(string seed)
    {
        try
        {
            using var pair = KeyPair.FromSeed(seed.Trim().AsSpan());
            return pair.Prefix == PrefixByte.User ? pair.GetPublicKey() : null;
        }
        catch (Exception ex) when (ex is NKeysException or ArgumentException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The user seed in an NKey file (the first line starting with <c>SU</c>; <c>nk -gen user</c> writes just that line).</summary>
    public static bool TryReadSeedFile(string setting, string path, out string seed, out string? error)
    {
        seed = "";
        if (!TryReadLines(setting, path, out var lines, out error))
        {
            return false;
        }

        if (lines.FirstOrDefault(l => l.StartsWith("SU", StringComparison.Ordinal)) is not { } line || UserPublicKey(line) is null)
        {
            error = $"{setting}: '{path}' holds no NKey user seed (a line 'SU...', as 'nk -gen user' writes it)";
            return false;
        }

        seed = line;
        return true;
    }

    /// <summary>Checks a <c>.creds</c> file the way the client reads it: a user JWT and a user seed, each on the line after its BEGIN marker.</summary>
    public static bool TryCheckCredsFile(string setting, string path, out string? error)
    {
        if (!TryReadLines(setting, path, out var lines, out error))
        {
            return false;
        }

        var jwt = After(lines, JwtBegin);
        var seed = After(lines, SeedBegin);
        if (jwt is null || jwt.Split('.') is not { Length: 3 } parts || parts.Any(p => p.Length == 0))
        {
            error = $"{setting}: '{path}' is not a NATS credentials file: no user JWT after '{JwtBegin}' (create one with 'nsc generate creds')";
            return false;
        }

        if (seed is null || UserPublicKey(seed) is null)
        {
            error = $"{setting}: '{path}' is not a NATS credentials file: no user NKey seed after '{SeedBegin}'";
            return false;
        }

        return true;
    }

    private static string? After(List<string> lines, string marker)
    {
        var at = lines.FindIndex(l => l.StartsWith(marker, StringComparison.Ordinal));
        return at >= 0 && at + 1 < lines.Count ? lines[at + 1] : null;
    }

    private static bool TryReadLines(string setting, string path, out List<string> lines, out string? error)
    {
        lines = [];
        error = null;
        try
        {
            var info = new FileInfo(path);
            if (Directory.Exists(path))
            {
                error = $"{setting}: '{path}' is a directory, not a file";
                return false;
            }

            if (!info.Exists)
            {
                error = $"{setting}: file '{path}' does not exist";
                return false;
            }

            // Credential files are a few hundred bytes; anything big is the wrong file.
            if (info.Length > 64 * 1024)
            {
                error = $"{setting}: '{path}' is {info.Length} bytes, too big for a credentials file";
                return false;
            }

            lines = File.ReadAllLines(path).Select(l => l.Trim()).ToList();
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error = $"{setting}: cannot read '{path}': {ex.Message}";
            return false;
        }
    }
}

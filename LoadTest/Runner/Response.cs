namespace LiveIm.LoadTest.Runner;

/// <summary>What one step did: ok or failed with a stable error code, and the bytes it moved.</summary>
/// <param name="IsOk">True when the step succeeded.</param>
/// <param name="ErrorCode">The failure's code (the protocol's code before the first colon, or the runner's own); null when ok.</param>
/// <param name="Message">The failure's message, for the report's last-error column; null when ok.</param>
/// <param name="SizeBytes">Bytes sent and received, when the step knows them.</param>
public sealed record Response(bool IsOk, string? ErrorCode, string? Message, long SizeBytes)
{
    /// <summary>Longest error code kept: a longer one (a server echoing input) is cut, so report columns stay sane.</summary>
    public const int MaxCodeLength = 40;

    /// <summary>A success.</summary>
    public static Response Ok(long sizeBytes = 0) => new(true, null, null, sizeBytes);

    /// <summary>A failure with <paramref name="code"/> (made safe for a column name: [a-z0-9_], at most <see cref="MaxCodeLength"/>).</summary>
    public static Response Fail(string code, string? message = null, long sizeBytes = 0) =>
        new(false, SafeCode(code), message, sizeBytes);

    /// <summary>Lower-case letters, digits and '_' only, at most <see cref="MaxCodeLength"/> characters; "error" when nothing is left.</summary>
    public static string SafeCode(string? code)
    {
        if (string.IsNullOrEmpty(code))
        {
            return "error";
        }

        var chars = new char[Math.Min(code.Length, MaxCodeLength)];
        var n = 0;
        foreach (var c in code)
        {
            if (n == chars.Length)
            {
                break;
            }

            var lower = char.ToLowerInvariant(c);
            chars[n++] = lower is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' ? lower : '_';
        }

        var safe = new string(chars, 0, n).Trim('_');
        return safe.Length == 0 ? "error" : safe;
    }
}

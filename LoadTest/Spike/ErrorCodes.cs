using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.RegularExpressions;
using LiveIm.LoadTest.Runner;

namespace LiveIm.LoadTest.Spike;

/// <summary>
/// Turns what a failed call or connection says into the stable code the report counts: the protocol's code before the
/// first colon (<c>rate_limited</c>, <c>unavailable</c>, …; docs/protocol.md "Errors"), an HTTP status of a refused
/// upgrade (<c>http_429</c>), or the client's own (<c>connect_refused</c>, <c>timeout</c>, <c>disconnected</c>).
/// </summary>
internal static partial class ErrorCodes
{
    /// <summary>The code of <paramref name="exception"/>.</summary>
    public static string From(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            OperationCanceledException or TimeoutException => "timeout",
            SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "connect_refused",
            SocketException or IOException => "connection_lost",
            HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } } => "connect_refused",
            HttpRequestException => "http_failed",
            WebSocketException ws => FromMessage(ws.Message) ?? "websocket",
            _ => FromMessage(exception.Message) ?? Response.SafeCode(exception.GetType().Name),
        };
    }

    /// <summary>
    /// The code in a message: after the last "HubException: " (how SignalR forwards a hub error), the word before the
    /// first colon; "HTTP/1.1 429" in a refused upgrade. Null when there is none.
    /// </summary>
    public static string? FromMessage(string? message)
    {
        if (string.IsNullOrEmpty(message))
        {
            return null;
        }

        var status = HttpStatus().Match(message);
        if (status.Success)
        {
            return "http_" + status.Groups[1].Value;
        }

        var at = message.LastIndexOf("HubException: ", StringComparison.Ordinal);
        var text = at >= 0 ? message[(at + "HubException: ".Length)..] : message;
        if (text.StartsWith("JoinRoom failed: ", StringComparison.Ordinal))
        {
            text = text["JoinRoom failed: ".Length..];
        }

        var code = ProtocolCode().Match(text);
        return code.Success ? code.Groups[1].Value : null;
    }

    /// <summary>The <c>retryAfterMs=&lt;n&gt;</c> hint of a message, capped at 60 s; null when absent.</summary>
    public static TimeSpan? RetryAfter(string? message)
    {
        var match = message is null ? Match.Empty : RetryHint().Match(message);
        return match.Success && long.TryParse(match.Groups[1].Value, out var ms) ? TimeSpan.FromMilliseconds(Math.Min(ms, 60_000)) : null;
    }

    [GeneratedRegex(@"HTTP/1\.1 ([0-9]{3})", RegexOptions.CultureInvariant)]
    private static partial Regex HttpStatus();

    [GeneratedRegex(@"^\s*([a-z_]{2,40}):", RegexOptions.CultureInvariant)]
    private static partial Regex ProtocolCode();

    [GeneratedRegex(@"retryAfterMs=([0-9]{1,9})", RegexOptions.CultureInvariant)]
    private static partial Regex RetryHint();
}

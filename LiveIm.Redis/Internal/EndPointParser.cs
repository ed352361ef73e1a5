using System.Globalization;
using System.Net;

namespace LiveIm.Redis.Internal;

/// <summary>Turns <c>host:port</c> (IPv4, <c>[IPv6]</c> or DNS name) into an <see cref="EndPoint"/>.</summary>
internal static class EndPointParser
{
    public static EndPoint Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1
            || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port is < IPEndPoint.MinPort or > IPEndPoint.MaxPort)
        {
            throw new ArgumentException($"'{text}' is not host:port.", nameof(text));
        }

        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        return IPAddress.TryParse(host, out var address) ? new IPEndPoint(address, port) : new DnsEndPoint(host, port);
    }
}

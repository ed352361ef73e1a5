using System.Net;

namespace LiveIm.LoadTest.Spike;

/// <summary>The spike runner loads loopback only: every URL it is given or handed (assignment) must be a loopback address.</summary>
internal static class Loopback
{
    /// <summary>True for http://127.x.x.x:port/ or http://[::1]:port/ (or localhost).</summary>
    public static bool IsLoopback(Uri? url) =>
        url is { IsAbsoluteUri: true } && url.Scheme == Uri.UriSchemeHttp &&
        (url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));

    /// <summary>The endpoint the lean receivers connect to; throws for anything but a loopback address.</summary>
    public static IPEndPoint EndPoint(Uri url)
    {
        if (!IsLoopback(url))
        {
            throw new InvalidOperationException($"not_loopback: {url} is not a loopback http URL; the spike runner loads loopback only");
        }

        var host = url.Host.Trim('[', ']');
        var address = host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(host);
        return new IPEndPoint(address, url.Port);
    }
}

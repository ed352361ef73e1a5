namespace LiveIm.Nats.Internal;

/// <summary>One server to dial: host, port and the credentials its URL carried.</summary>
internal sealed record ServerAddress(string Host, int Port, string? User, string? Password, string? Token)
{
    public const int DefaultPort = 4222;

    /// <summary>The URL without credentials, for logs and events.</summary>
    public string Display => $"nats://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}";

    /// <summary>Never prints credentials.</summary>
    public override string ToString() => Display;

    /// <summary>True when both point at the same host and port (credentials aside).</summary>
    public bool SameEndpoint(ServerAddress other) =>
        Port == other.Port && string.Equals(Host, other.Host, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Parses <c>nats://[user:pass@|token@]host[:port]</c>; the scheme is optional (INFO connect_urls are bare
    /// <c>host:port</c>).
    /// </summary>
    public static ServerAddress Parse(string url)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        var text = url.Contains("://", StringComparison.Ordinal) ? url : "nats://" + url;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new ArgumentException($"'{url}' is not a NATS server URL.", nameof(url));
        }

        if (uri.Scheme is not ("nats" or "tcp"))
        {
            throw new ArgumentException($"'{url}': only nats:// (plain TCP) is supported.", nameof(url));
        }

        string? user = null, password = null, token = null;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                token = Uri.UnescapeDataString(uri.UserInfo);
            }
            else
            {
                user = Uri.UnescapeDataString(uri.UserInfo[..colon]);
                password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        var host = uri.Host.TrimStart('[').TrimEnd(']');
        return new ServerAddress(host, uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port, user, password, token);
    }
}

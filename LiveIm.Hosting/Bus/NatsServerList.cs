namespace LiveIm.Hosting.Bus;

/// <summary>
/// <c>Nats:Url</c> read into the server list the client connects to: comma-separated <c>nats://</c>, <c>tls://</c>,
/// <c>ws://</c> or <c>wss://</c> URLs, or bare <c>host:port</c> (meaning <c>nats://</c>); port 4222 when left out.
/// Parsed here rather than by the client so that a typo stops start-up with the setting's name instead of failing
/// every reconnect attempt in the background.
/// </summary>
public static class NatsServerList
{
    private static readonly string[] Schemes = ["nats", "tls", "ws", "wss"];

    /// <summary>The normalized servers (<c>scheme://[user:pass@]host:port</c>), or <paramref name="error"/> naming the bad entry.</summary>
    public static bool TryParse(string? setting, out IReadOnlyList<Uri> servers, out string? error)
    {
        servers = [];
        error = null;
        if (string.IsNullOrWhiteSpace(setting))
        {
            error = $"{BusSettings.Section}:Url is empty: give at least one server, e.g. nats://127.0.0.1:4222";
            return false;
        }

        var list = new List<Uri>();
        foreach (var raw in setting.Split(','))
        {
            var entry = raw.Trim();
            if (entry.Length == 0)
            {
                error = $"{BusSettings.Section}:Url has an empty entry in '{Shown(setting)}' (servers are separated by single commas)";
                return false;
            }

            var text = entry.Contains("://", StringComparison.Ordinal) ? entry : "nats://" + entry;
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri)
                || !Schemes.Contains(uri.Scheme)
                || string.IsNullOrEmpty(uri.Host)
                || (uri.AbsolutePath is not ("" or "/") && uri.Scheme is "nats" or "tls")
                || uri.Query.Length > 0 || uri.Fragment.Length > 0
                || uri.Port == 0)
            {
                error = $"{BusSettings.Section}:Url: '{Shown(entry)}' is not a NATS server URL (nats://host:port, tls://host:port, "
                    + "ws:// or wss://; several separated by commas)";
                return false;
            }

            list.Add(uri.Port > 0 ? uri : new UriBuilder(uri) { Port = 4222 }.Uri);
        }

        servers = list;
        return true;
    }

    /// <summary>The list as the client takes it (comma-separated).</summary>
    public static string Join(IEnumerable<Uri> servers) =>
        string.Join(",", servers.Select(s => s.GetComponents(UriComponents.SchemeAndServer | UriComponents.UserInfo | UriComponents.Path, UriFormat.UriEscaped).TrimEnd('/')));

    // A URL may carry user:password@; the message must not.
    private static string Shown(string text)
    {
        var at = text.LastIndexOf('@');
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        return at < 0 ? text : (scheme >= 0 && scheme < at ? text[..(scheme + 3)] : "") + "***@" + text[(at + 1)..];
    }
}

namespace LiveIm.Hosting.Bus;

/// <summary>
/// Configuration section <c>Nats</c>: where the bus is and how to log in to it (docs/operations.md, "NATS"). Checked at
/// start-up by <see cref="BusSettingsValidator"/>: a malformed server list or an unreadable credentials file stops the
/// process with a message naming the setting.
/// </summary>
public sealed class BusSettings
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Nats";

    /// <summary>
    /// Comma-separated server URLs (<c>nats://host:port</c>, <c>tls://host:port</c>; <c>host:port</c> means
    /// <c>nats://</c>), e.g. <c>nats://10.0.0.1:4222,nats://10.0.0.2:4222</c>. Any one reachable node is enough: a
    /// clustered server announces its peers and the client fails over to them.
    /// </summary>
    public string Url { get; set; } = "nats://127.0.0.1:4222";

    /// <summary>User of user/password authentication (with <see cref="Password"/>).</summary>
    public string? User { get; set; }

    /// <summary>Password of user/password authentication. Secret.</summary>
    public string? Password { get; set; }

    /// <summary>Token authentication. Secret.</summary>
    public string? Token { get; set; }

    /// <summary>NKey authentication: the user's seed (<c>SU...</c>) itself, e.g. from a secret store's environment variable. Secret.</summary>
    public string? NKeySeed { get; set; }

    /// <summary>NKey authentication: a file holding the user's seed (what <c>nsc</c> and <c>nk -gen user</c> write).</summary>
    public string? NKeyFile { get; set; }

    /// <summary>JWT authentication: a <c>.creds</c> file (user JWT and NKey seed, as <c>nsc generate creds</c> writes it).</summary>
    public string? CredsFile { get; set; }

    /// <summary>TLS to the servers (<c>Nats:Tls:*</c>).</summary>
    public BusTlsSettings Tls { get; set; } = new();

    /// <summary>How long a gateway waits for RoomService to answer a request before the caller gets <c>unavailable</c>.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(2);
}

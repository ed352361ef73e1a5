namespace LiveIm.Hosting.Bus;

/// <summary>Configuration section <c>Nats</c>.</summary>
public sealed class BusSettings
{
    /// <summary>Comma-separated server URLs, e.g. <c>nats://127.0.0.1:4222,nats://10.0.0.2:4222</c>.</summary>
    public string Url { get; set; } = "nats://127.0.0.1:4222";

    /// <summary>NATS user (optional).</summary>
    public string? User { get; set; }

    /// <summary>NATS password (optional).</summary>
    public string? Password { get; set; }

    /// <summary>NATS token (optional).</summary>
    public string? Token { get; set; }

    /// <summary>How long a gateway waits for RoomService to answer a request.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(2);
}

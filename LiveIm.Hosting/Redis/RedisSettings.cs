namespace LiveIm.Hosting.Redis;

/// <summary>Configuration section <c>Redis</c>.</summary>
public sealed class RedisSettings
{
    /// <summary><c>host:port</c>.</summary>
    public string EndPoint { get; set; } = "127.0.0.1:6379";

    /// <summary>AUTH password (optional).</summary>
    public string? Password { get; set; }
}

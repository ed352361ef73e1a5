using System.Globalization;
using System.Net;
using StackExchange.Redis;

namespace LiveIm.Hosting.Redis;

/// <summary>
/// Configuration section <c>Redis</c> (docs/operations.md, "Redis"). <see cref="Configuration"/> is a
/// StackExchange.Redis configuration string and says everything about where Redis is and how to reach it; the older
/// <see cref="EndPoint"/> and <see cref="Password"/> still work when it is not set.
/// </summary>
public sealed class RedisSettings
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Redis";

    /// <summary>Default store timeout: see <see cref="TimeoutMs"/>.</summary>
    public const int DefaultTimeoutMs = 1000;

    /// <summary>
    /// How often the client checks for commands past their timeout. The library's default (1 s) would let a timeout
    /// of 1 s fire up to 2 s late, as late as a gateway's bus request gives up; 250 ms keeps a hang's cost at
    /// <see cref="TimeoutMs"/> + 0.25 s for one timer per process.
    /// </summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// A StackExchange.Redis configuration string: one or more <c>host:port</c> endpoints (a Redis Cluster's nodes, or
    /// Sentinels with <c>serviceName=</c>), then options such as <c>password=</c>, <c>user=</c>, <c>ssl=true</c>,
    /// <c>sslHost=</c>, <c>abortConnect=false</c>. Empty: <see cref="EndPoint"/> and <see cref="Password"/> are used.
    /// </summary>
    public string? Configuration { get; set; }

    /// <summary><c>host:port</c> of a single Redis, used when <see cref="Configuration"/> is empty.</summary>
    public string EndPoint { get; set; } = "127.0.0.1:6379";

    /// <summary>AUTH password for <see cref="EndPoint"/> (optional; with <see cref="Configuration"/>, write <c>password=</c> there).</summary>
    public string? Password { get; set; }

    /// <summary>
    /// How long any Redis call may take before it fails with <c>unavailable</c> (ms, 50..60000, default 1000). Keep
    /// it below <c>Nats:RequestTimeout</c> (2 s): a Redis that hangs then costs a send this long, and the client gets
    /// RoomService's <c>unavailable</c> answer instead of a bus timeout. It overrides <c>asyncTimeout</c> and
    /// <c>syncTimeout</c> in <see cref="Configuration"/>.
    /// </summary>
    public int TimeoutMs { get; set; } = DefaultTimeoutMs;

    /// <summary>The store timeout.</summary>
    public TimeSpan Timeout => TimeSpan.FromMilliseconds(TimeoutMs);

    /// <summary>
    /// The client options these settings describe, with LiveIm's choices applied (see the comments), or an
    /// <see cref="InvalidOperationException"/> whose message names the setting that is wrong.
    /// </summary>
    public ConfigurationOptions ToOptions(string clientName)
    {
        if (TimeoutMs is < 50 or > 60_000)
        {
            throw new InvalidOperationException($"Redis:TimeoutMs must be 50..60000 (ms), not {TimeoutMs.ToString(CultureInfo.InvariantCulture)}");
        }

        var setting = string.IsNullOrWhiteSpace(Configuration) ? "Redis:EndPoint" : "Redis:Configuration";
        ConfigurationOptions options;
        try
        {
            options = setting == "Redis:Configuration"
                ? ConfigurationOptions.Parse(Configuration!)
                : ConfigurationOptions.Parse(EndPoint);
        }
        catch (ArgumentException ex)
        {
            // Parse names the keyword or the port it refused; the setting is what an operator looks for.
            throw new InvalidOperationException($"{setting} is not a valid Redis configuration: {ex.Message}", ex);
        }

        // Parse is lenient: "host:notaport" or ",," silently become no endpoint at all, "=" an endpoint named "=".
        if (options.EndPoints.Count == 0)
        {
            throw new InvalidOperationException($"{setting} names no Redis endpoint (expected host:port[,host:port...][,option=value...])");
        }

        foreach (var endPoint in options.EndPoints)
        {
            if (endPoint is DnsEndPoint dns && Uri.CheckHostName(dns.Host) == UriHostNameType.Unknown)
            {
                throw new InvalidOperationException($"{setting} names an endpoint whose host '{dns.Host}' is not a host name or address");
            }
        }

        if (setting == "Redis:EndPoint" && !string.IsNullOrEmpty(Password))
        {
            options.Password = Password;
        }

        // The process starts (and serves /healthz) while Redis is not up yet; the client keeps connecting by itself.
        options.AbortOnConnectFail = false;

        // While disconnected, a call fails at once with unavailable instead of queueing until its timeout (the
        // library's default): a viewer's send should not wait for a Redis that is gone, and nothing is replayed later
        // behind the caller's back.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.AsyncTimeout = TimeoutMs;
        options.SyncTimeout = TimeoutMs;
        options.HeartbeatInterval = HeartbeatInterval;
        options.ClientName ??= clientName.Replace(' ', '-');
        return options;
    }
}

using LiveIm.Nats;

namespace LiveIm.Nats.Tests.Infrastructure;

/// <summary>Options with short waits so that failure paths finish in milliseconds, not seconds.</summary>
public static class TestOptions
{
    public static NatsOptions For(params string[] servers) => new()
    {
        Servers = servers,
        Name = "liveim-nats-tests",
        ConnectTimeout = TimeSpan.FromSeconds(2),
        ReconnectWaitMin = TimeSpan.FromMilliseconds(10),
        ReconnectWaitMax = TimeSpan.FromMilliseconds(200),
        RequestTimeout = TimeSpan.FromSeconds(2),
    };

    /// <summary>Copies <paramref name="o"/> with other servers (init-only properties cannot be set afterwards).</summary>
    public static NatsOptions With(
        this NatsOptions o,
        IReadOnlyList<string>? servers = null,
        bool? noEcho = null,
        string? user = null,
        string? password = null,
        TimeSpan? connectTimeout = null,
        TimeSpan? pingInterval = null,
        int? maxPingsOut = null,
        int? channelCapacity = null,
        Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null) => new()
    {
        Servers = servers ?? o.Servers,
        Name = o.Name,
        NoEcho = noEcho ?? o.NoEcho,
        User = user ?? o.User,
        Password = password ?? o.Password,
        Token = o.Token,
        ConnectTimeout = connectTimeout ?? o.ConnectTimeout,
        PingInterval = pingInterval ?? o.PingInterval,
        MaxPingsOut = maxPingsOut ?? o.MaxPingsOut,
        ReconnectWaitMin = o.ReconnectWaitMin,
        ReconnectWaitMax = o.ReconnectWaitMax,
        RequestTimeout = o.RequestTimeout,
        SubscriptionChannelCapacity = channelCapacity ?? o.SubscriptionChannelCapacity,
        LoggerFactory = loggerFactory ?? o.LoggerFactory,
    };
}

using Microsoft.Extensions.Logging;
using NATS.Client.Core;

namespace LiveIm.Hosting.Bus;

/// <summary>
/// The <see cref="NatsOpts"/> LiveIm runs the official client with: <see cref="BusSettings"/> plus every place where we
/// differ from the library's defaults, each with its reason here and a test against a real nats-server
/// (tests/LiveIm.Hosting.Tests, <c>NatsMessageBusTests</c>).
/// </summary>
public static class NatsBusOptions
{
    /// <summary>
    /// Messages a subscription may hold before its handler takes them (library: 1,024). RoomService's request
    /// subscriptions take every request of the instance; a gateway's room subscription every event of a room. A GC
    /// pause or a slow tick of 100 ms at 10,000 messages/s queues 1,000: at 1,024 a short stall would already drop
    /// requests (their callers time out) and reliable events (repaired only after a reconnect). 65,536 rides out
    /// several seconds of such a stall; at a typical 300-byte event it bounds a subscription's queue to ~20 MB.
    /// Beyond it the newest messages are dropped (the library's DropNewest, as before) and counted
    /// (<c>liveim_bus_dropped_total</c>).
    /// </summary>
    public const int SubscriptionCapacity = 65_536;

    /// <summary>Builds the client's options for a process named <paramref name="clientName"/> (it shows in the server's <c>/connz</c>).</summary>
    /// <exception cref="InvalidOperationException">The settings do not validate (the host's ValidateOnStart reports the same).</exception>
    public static NatsOpts Create(BusSettings settings, string clientName, ILoggerFactory loggerFactory)
    {
        if (!NatsServerList.TryParse(settings.Url, out var servers, out var error))
        {
            throw new InvalidOperationException(error);
        }

        return NatsOpts.Default with
        {
            Url = NatsServerList.Join(servers),
            Name = clientName,
            LoggerFactory = loggerFactory,
            AuthOpts = Authentication(settings),
            TlsOpts = Tls(settings.Tls),

            // Reconnect (library: wait 2 s, then up to 5 s, after a failed attempt). The first attempt after a loss
            // goes at once to another server of the list or the cluster; the waits apply only between failed attempts.
            // A restarted single node is back in a few hundred ms, and a gateway that waits 2 s after it keeps its
            // viewers' sends failing 2 s longer. Ours: 50 ms doubling to 2 s, plus up to 100 ms of jitter (the library's)
            // so a fleet of gateways does not return in step.
            ReconnectWaitMin = TimeSpan.FromMilliseconds(50),
            ReconnectWaitMax = TimeSpan.FromSeconds(2),

            // Stale-connection detection (library: a PING every 2 min, 2 unanswered): a server that stops answering
            // but keeps the socket open (a SIGSTOP, a frozen VM, a dropped route without RST) would hold a gateway on
            // a dead connection for 4-6 minutes. 10 s x 2 notices it within 20-30 s; readiness notices sooner (it
            // PINGs with a 1 s deadline, BusHealthCheck) and sends already fail after the request timeout.
            PingInterval = TimeSpan.FromSeconds(10),
            MaxPingOut = 2,

            // Publish while disconnected (library: waits in the client's buffer until the connection is back, then
            // sends). We check the state first and fail at once (NatsMessageBus); a publish that races a loss fails
            // after CommandTimeout instead of being sent late. RoomService's events must not appear seconds later:
            // the caller got unavailable, retried with the same clientMsgId, and the gateway's repair read covers
            // the gap.
            PublishTimeoutOnDisconnected = true,

            // How long a write may wait for room in the client's buffer (library: 5 s): a server that stops reading
            // fills it; past this a publish fails (unavailable) rather than hang a RoomService request.
            CommandTimeout = TimeSpan.FromSeconds(2),

            RequestTimeout = settings.RequestTimeout,

            // Replies are matched before the subscription muxer (library: a shared inbox subscription that creates a
            // subscription object per request): the gateway makes one request per chat line, gift and join.
            RequestReplyMode = NatsRequestReplyMode.Direct,

            SubPendingChannelCapacity = SubscriptionCapacity,
        };
    }

    private static NatsAuthOpts Authentication(BusSettings s)
    {
        var auth = NatsAuthOpts.Default;
        if (!string.IsNullOrEmpty(s.User))
        {
            return auth with { Username = s.User, Password = s.Password };
        }

        if (!string.IsNullOrEmpty(s.Token))
        {
            return auth with { Token = s.Token };
        }

        // The library's NKey file wants the public key on a line of its own beside the seed; a seed is enough for us
        // (the public key follows from it), so we read the file and hand the client the seed and its public key.
        var seed = !string.IsNullOrEmpty(s.NKeySeed) ? s.NKeySeed.Trim()
            : !string.IsNullOrEmpty(s.NKeyFile) && NatsCredentials.TryReadSeedFile($"{BusSettings.Section}:NKeyFile", s.NKeyFile, out var fromFile, out _) ? fromFile
            : null;
        if (seed is not null && NatsCredentials.UserPublicKey(seed) is { } publicKey)
        {
            return auth with { Seed = seed, NKey = publicKey };
        }

        return !string.IsNullOrEmpty(s.CredsFile) ? auth with { CredsFile = s.CredsFile } : auth;
    }

    private static NatsTlsOpts Tls(BusTlsSettings t) => NatsTlsOpts.Default with
    {
        Mode = BusSettingsValidator.ParseMode(t.Mode) ?? TlsMode.Auto,
        CaFile = NullIfEmpty(t.CaFile),
        CertFile = NullIfEmpty(t.CertFile),
        KeyFile = NullIfEmpty(t.KeyFile),
        InsecureSkipVerify = t.InsecureSkipVerify,
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

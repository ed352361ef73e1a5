namespace LiveIm.RoomGateway.Limits;

/// <summary>
/// The gateway's own limits (configuration section <c>Limits</c>; table and reasoning in docs/operations.md). They
/// protect this process (CPU, memory, sockets) and hold with the bus and Redis down; limits shared across gateways
/// (per user, per room) live in RoomService (docs/flow-control.md).
/// </summary>
/// <remarks>
/// Per-connection rates are token buckets: <c>XxxPerSecond</c> is the sustained rate, <c>XxxBurst</c> how many calls
/// may come at once after a pause. The defaults are what a person (or a well-written client acting for one) does,
/// with room to spare, and far below what would cost the gateway anything: a refused call is a few microseconds.
/// </remarks>
public sealed class LimitsOptions
{
    /// <summary>Chat lines per second per connection. Nobody types more than one line every half second for long;
    /// the burst of 5 covers a quick exchange (and a client re-sending a few lines after a reconnect).</summary>
    public double ChatPerSecond { get; set; } = 2;

    /// <summary>Chat burst per connection.</summary>
    public int ChatBurst { get; set; } = 5;

    /// <summary>Gifts per second per connection. Combo gifts (a viewer holding the gift button) send about 10 a second;
    /// the burst of 20 covers a combo's first seconds and retries with the same clientMsgId after a reconnect.</summary>
    public double GiftPerSecond { get; set; } = 10;

    /// <summary>Gift burst per connection.</summary>
    public int GiftBurst { get; set; } = 20;

    /// <summary>Like calls per second per connection. Clients batch taps (one call carries up to 1,000 likes), so 10
    /// calls a second is already a client that does not batch.</summary>
    public double LikePerSecond { get; set; } = 10;

    /// <summary>Like burst per connection.</summary>
    public int LikeBurst { get; set; } = 20;

    /// <summary>JoinRoom calls per second per connection. A viewer zapping through rooms joins one every few seconds;
    /// a join costs a RoomService round trip and a history read, so 2/s with a burst of 5 is generous.</summary>
    public double JoinPerSecond { get; set; } = 2;

    /// <summary>JoinRoom burst per connection.</summary>
    public int JoinBurst { get; set; } = 5;

    /// <summary>Moderation calls (mute, unmute, ban, unban, slow mode, delete) per second per connection: a moderator
    /// clearing a spam wave clicks fast, but not 5 times a second for long.</summary>
    public double ModerationPerSecond { get; set; } = 5;

    /// <summary>Moderation burst per connection.</summary>
    public int ModerationBurst { get; set; } = 10;

    /// <summary>Any other call (LeaveRoom, methods added later) per second per connection.</summary>
    public double OtherPerSecond { get; set; } = 10;

    /// <summary>Other-call burst per connection.</summary>
    public int OtherBurst { get; set; } = 20;

    /// <summary>
    /// The largest message a client may send (SignalR <c>MaximumReceiveMessageSize</c>). Hub methods take a handful of
    /// short strings (a 500-character chat line is at most ~3 KB even fully \u-escaped). 16 KB leaves room for that and
    /// for clearly-wrong-but-parseable input (a 10 KB room id gets invalid_room); a bigger frame is abuse and closes
    /// the connection.
    /// </summary>
    public int MaxMessageBytes { get; set; } = 16 * 1024;

    /// <summary>
    /// Calls of one connection that may be in progress at once; one more is refused at once with <c>rate_limited</c>
    /// instead of waiting. 4: a client that awaits its calls has one in flight, one sending chat and gifts side by
    /// side has two or three; SignalR's own default (1, then the transport stops reading) would make a gift wait
    /// behind a slow join.
    /// </summary>
    public int MaxPendingInvocations { get; set; } = 4;

    /// <summary>
    /// The same for an anonymous connection (no token: a viewer who can join, leave and watch, nothing else). 2: a
    /// leave and the next join side by side. SignalR gives every connection a semaphore of this many + 1 slots for
    /// its life (a channel buffer of the next power of two), so a big room's anonymous viewers do not carry what
    /// the signed-in ones may need (and a gateway whose <see cref="MaxPendingInvocations"/> is raised for a few
    /// publishers does not give it to every viewer).
    /// </summary>
    public int AnonymousMaxPendingInvocations { get; set; } = 2;

    /// <summary>The calls in progress a connection may have: <see cref="MaxPendingInvocations"/>, or <see cref="AnonymousMaxPendingInvocations"/> without a token.</summary>
    public int MaxPendingFor(bool signedIn) => signedIn ? MaxPendingInvocations : AnonymousMaxPendingInvocations;

    /// <summary>
    /// SignalR's <c>MaximumParallelInvocationsPerClient</c> for such a connection: one slot more than the calls it may
    /// have in progress. <see cref="LimitsHubFilter"/> refuses the extra call at once, so the spare slot is only ever held
    /// by a refusal and SignalR never stops reading a connection behind slow calls.
    /// </summary>
    public int InvocationSlotsFor(bool signedIn) => MaxPendingFor(signedIn) + 1;

    /// <summary>
    /// A connection refused this many times faster than <see cref="FloodWindowSeconds"/> allows is closed with
    /// <c>flood</c>. Refusals leak away at FloodStrikes / FloodWindowSeconds per second, so the default closes a
    /// client that keeps calling more than 10 times a second after being told to wait, or fires more than 100
    /// refused calls at once, while one burst of 100 calls sent before reading any reply stays connected.
    /// </summary>
    public int FloodStrikes { get; set; } = 100;

    /// <summary>The window <see cref="FloodStrikes"/> is counted over, in seconds.</summary>
    public double FloodWindowSeconds { get; set; } = 10;

    /// <summary>
    /// Open hub connections this gateway accepts. 20,000 matches a common per-process open-files hard limit, and at
    /// 10 µs per frame write a gateway on 2 cores serves about that many viewers of busy rooms (docs/performance.md);
    /// past it the 503 sends clients to another gateway instead of failing accept() for everyone.
    /// </summary>
    public int MaxConnections { get; set; } = 20_000;

    /// <summary>
    /// Open hub connections from one IP address (IPv6: one /64). 200 lets a carrier-grade NAT, a campus or an office
    /// behind one address through (hundreds of real users share one public IPv4 address on mobile networks) while one
    /// host cannot take more than 1 % of a gateway.
    /// </summary>
    public int MaxConnectionsPerIp { get; set; } = 200;

    /// <summary>
    /// JoinRoom calls per second the whole gateway admits (after the per-connection limit): a join storm (a big
    /// streamer going live, or every client of a dead gateway reconnecting here) is spread out instead of piling
    /// RoomService and Redis up with history reads. 2,000/s refills a full gateway (20,000) in 10 s.
    /// </summary>
    public double JoinsPerSecond { get; set; } = 2_000;

    /// <summary>Gateway-wide join burst: one second's worth.</summary>
    public int JoinsBurst { get; set; } = 2_000;

    /// <summary>
    /// The retry hint of a refused connection (gateway full, too many from one IP), in ms; the gateway adds a random
    /// 0..100 % on top so that refused clients do not come back together.
    /// </summary>
    public int ConnectRetryAfterMs { get; set; } = 5_000;

    /// <summary>The per-connection rate of <paramref name="kind"/>.</summary>
    public (double PerSecond, int Burst) RateOf(CallKind kind) => kind switch
    {
        CallKind.Join => (JoinPerSecond, JoinBurst),
        CallKind.Chat => (ChatPerSecond, ChatBurst),
        CallKind.Gift => (GiftPerSecond, GiftBurst),
        CallKind.Like => (LikePerSecond, LikeBurst),
        CallKind.Moderation => (ModerationPerSecond, ModerationBurst),
        _ => (OtherPerSecond, OtherBurst),
    };

    /// <summary>Checks the values; throws with the setting's name when one is out of range.</summary>
    public void Validate()
    {
        CheckRate(ChatPerSecond, ChatBurst, nameof(ChatPerSecond), nameof(ChatBurst));
        CheckRate(GiftPerSecond, GiftBurst, nameof(GiftPerSecond), nameof(GiftBurst));
        CheckRate(LikePerSecond, LikeBurst, nameof(LikePerSecond), nameof(LikeBurst));
        CheckRate(JoinPerSecond, JoinBurst, nameof(JoinPerSecond), nameof(JoinBurst));
        CheckRate(ModerationPerSecond, ModerationBurst, nameof(ModerationPerSecond), nameof(ModerationBurst));
        CheckRate(OtherPerSecond, OtherBurst, nameof(OtherPerSecond), nameof(OtherBurst));
        CheckRate(JoinsPerSecond, JoinsBurst, nameof(JoinsPerSecond), nameof(JoinsBurst));
        Check(MaxMessageBytes is >= 1024 and <= 1024 * 1024, nameof(MaxMessageBytes), "1024..1048576");
        Check(MaxPendingInvocations is >= 1 and <= 1024, nameof(MaxPendingInvocations), "1..1024");
        Check(AnonymousMaxPendingInvocations is >= 1 and <= 1024, nameof(AnonymousMaxPendingInvocations), "1..1024");
        Check(FloodStrikes is >= 1 and <= 1_000_000, nameof(FloodStrikes), "1..1000000");
        Check(FloodWindowSeconds is >= 0.1 and <= 3600, nameof(FloodWindowSeconds), "0.1..3600");
        Check(MaxConnections is >= 1 and <= 10_000_000, nameof(MaxConnections), "1..10000000");
        Check(MaxConnectionsPerIp >= 1 && MaxConnectionsPerIp <= MaxConnections, nameof(MaxConnectionsPerIp), "1..MaxConnections");
        Check(ConnectRetryAfterMs is >= 1 and <= 600_000, nameof(ConnectRetryAfterMs), "1..600000");
    }

    private static void CheckRate(double perSecond, int burst, string rateName, string burstName)
    {
        // Above a million per second the bucket's interval would round to nothing on a 1 µs clock; below one per
        // 1,000 s a million-call burst would overflow the bucket's tick arithmetic.
        Check(perSecond is >= 0.001 and <= 1_000_000, rateName, "0.001..1000000");
        Check(burst is >= 1 and <= 1_000_000, burstName, "1..1000000");
    }

    private static void Check(bool ok, string name, string range)
    {
        if (!ok)
        {
            throw new InvalidOperationException($"Limits:{name} must be {range}");
        }
    }
}

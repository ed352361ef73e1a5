namespace LiveIm.LoadTest.Spike;

/// <summary>The spike scenarios, by their command-line names.</summary>
internal static class SpikeScenarioName
{
    public const string GoLive = "go-live";
    public const string GiftBurst = "gift-burst";
    public const string GatewayKill = "gateway-kill";
    public const string Drain = "drain";
    public const string ManyRooms = "many-rooms";
    public const string NatsNodeKill = "nats-node-kill";

    /// <summary>Every scenario, in the order the docs list them.</summary>
    public static readonly IReadOnlyList<string> All = [GoLive, GiftBurst, GatewayKill, Drain, ManyRooms, NatsNodeKill];

    /// <summary>The scenarios that kill or stop a process: they need <c>--start</c>.</summary>
    public static bool NeedsStart(string name) => name is GatewayKill or Drain or NatsNodeKill;
}

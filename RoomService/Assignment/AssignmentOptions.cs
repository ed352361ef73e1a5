namespace LiveIm.RoomService.Assignment;

/// <summary>
/// Configuration section <c>Assignment</c>: the policy of <c>GET /api/gateways/assign</c> (docs/operations.md,
/// "Gateway assignment"). Out-of-range values stop RoomService at start-up.
/// </summary>
public sealed class AssignmentOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Assignment";

    /// <summary>
    /// A gateway that holds this many members of a room takes no more of them while another gateway can: the room
    /// is opened on the next least-loaded gateway. 2,500 is where a room's tick starts to grow beyond 50 ms
    /// (FanoutOptions.TickFor), so below it a viewer sees no extra delay; one more bus copy per event is cheap next to
    /// that.
    /// </summary>
    public int MaxRoomMembersPerGateway { get; set; } = 2500;

    /// <summary>
    /// A gateway already in the room is preferred while its load (connections per weight) is at most the least-loaded
    /// gateway's × (1 + this) + <see cref="InRoomSlackConnections"/>: 0.25 lets rooms gather (one bus copy per
    /// gateway in the room, not per viewer) without letting one gateway run a quarter hotter than the rest.
    /// </summary>
    public double InRoomLoadSlack { get; set; } = 0.25;

    /// <summary>
    /// The slack in connections per weight unit on top of <see cref="InRoomLoadSlack"/>, so that on nearly idle
    /// gateways (where 25 % of little is nothing) a room still gathers: 200 is 1 % of a gateway's 20,000 connections.
    /// </summary>
    public int InRoomSlackConnections { get; set; } = 200;

    /// <summary>
    /// Gateways whose CPU share (0..1) is above this are passed over while one below it is available: connections are
    /// the load measure, CPU guards against a gateway that is hot for another reason (a hot room, a noisy neighbour).
    /// </summary>
    public double MaxCpu { get; set; } = 0.85;

    /// <summary>The <c>Retry-After</c> (seconds) of a 503 when no gateway is available.</summary>
    public int RetryAfterSeconds { get; set; } = 2;

    /// <summary>True when every value is in range.</summary>
    public bool IsValid() =>
        MaxRoomMembersPerGateway >= 1
        && InRoomLoadSlack is >= 0 and <= 100
        && InRoomSlackConnections >= 0
        && MaxCpu is > 0 and <= 1
        && RetryAfterSeconds is >= 1 and <= 3600;
}

using LiveIm.Core.Gateways;

namespace LiveIm.RoomService.Assignment;

/// <summary>A gateway as the policy sees it: its last report, what was handed to it since, and its members of the room.</summary>
/// <param name="Report">The gateway's last load report (fresh: expired ones are never candidates).</param>
/// <param name="Pending">Clients this RoomService sent there since that report (not yet in its connection count).</param>
/// <param name="RoomMembers">Its members of the requested room, from the presence reports (0 when not in the room).</param>
public sealed record GatewayCandidate(GatewayLoadReport Report, long Pending, long RoomMembers)
{
    /// <summary>Connections per weight unit, counting the pending ones: the load the policy balances.</summary>
    public double Load => (Report.Connections + Pending) / Report.Weight;
}

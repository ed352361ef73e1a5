namespace LiveIm.RoomService.Assignment;

/// <summary>
/// Picks the gateway a new client of a room should use (docs/operations.md, "Gateway assignment"), from fresh reports
/// only (a dead gateway's report has expired, so it is never a candidate):
/// <list type="number">
/// <item>Candidates: not draining, weight &gt; 0; those with CPU above <see cref="AssignmentOptions.MaxCpu"/> only if
/// nothing else is left.</item>
/// <item>Least loaded: the lowest connections (plus pending) per weight unit; ties go to the lower CPU, then the id
/// (stable answers for equal gateways).</item>
/// <item>Hot rooms gather, then spread: a candidate already in the room, holding fewer than
/// <see cref="AssignmentOptions.MaxRoomMembersPerGateway"/> of its members and loaded at most
/// least × (1 + <see cref="AssignmentOptions.InRoomLoadSlack"/>) + <see cref="AssignmentOptions.InRoomSlackConnections"/>,
/// wins over the least loaded (the least loaded of those): one more viewer there costs no extra bus copy. When every
/// gateway in the room is full of it or too loaded, the least-loaded gateway gets the client, which opens the room
/// there, and the next clients gather on it.</item>
/// </list>
/// </summary>
public static class AssignmentPolicy
{
    /// <summary>The chosen gateway, or null when none is available.</summary>
    public static GatewayCandidate? Choose(IReadOnlyList<GatewayCandidate> gateways, AssignmentOptions options)
    {
        var open = gateways.Where(g => !g.Report.Draining && g.Report.Weight > 0).ToList();
        var cool = open.Where(g => g.Report.Cpu <= options.MaxCpu).ToList();
        var candidates = cool.Count > 0 ? cool : open;
        if (candidates.Count == 0)
        {
            return null;
        }

        var ordered = candidates
            .OrderBy(g => g.Load)
            .ThenBy(g => g.Report.Cpu)
            .ThenBy(g => g.Report.Id, StringComparer.Ordinal)
            .ToList();
        var least = ordered[0];
        var ceiling = (least.Load * (1 + options.InRoomLoadSlack)) + options.InRoomSlackConnections;
        return ordered.FirstOrDefault(g => g.RoomMembers > 0 && g.RoomMembers < options.MaxRoomMembersPerGateway && g.Load <= ceiling)
            ?? least;
    }
}

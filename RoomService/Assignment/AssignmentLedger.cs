using System.Collections.Concurrent;
using LiveIm.Core.Gateways;

namespace LiveIm.RoomService.Assignment;

/// <summary>
/// How many clients this RoomService sent to each gateway since that gateway's last load report. Reports come every
/// 2 s; without this, a join storm would send every client of those 2 s to the same least-loaded gateway. A new
/// report (a newer <see cref="GatewayLoadReport.ReportedAt"/>) counts them itself, so the tally starts again. With
/// several RoomService instances each keeps its own tally: the herd is split, not removed (reports are the truth).
/// </summary>
public sealed class AssignmentLedger
{
    private readonly ConcurrentDictionary<string, (long ReportedAt, long Count)> _handed = new(StringComparer.Ordinal);

    /// <summary>Clients sent to the gateway since <paramref name="report"/>.</summary>
    public long Pending(GatewayLoadReport report) =>
        _handed.TryGetValue(report.Id, out var entry) && entry.ReportedAt == report.ReportedAt ? entry.Count : 0;

    /// <summary>Counts one client sent to the gateway of <paramref name="report"/>.</summary>
    public void Handed(GatewayLoadReport report) =>
        _handed.AddOrUpdate(
            report.Id,
            (report.ReportedAt, 1),
            (_, entry) => entry.ReportedAt == report.ReportedAt ? (entry.ReportedAt, entry.Count + 1) : (report.ReportedAt, 1));
}

using LiveIm.Core.Gateways;
using LiveIm.RoomService.Assignment;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>The assignment policy on its own (no servers): weights, draining, CPU guard, hot rooms, the storm ledger.</summary>
public sealed class AssignmentPolicyTests
{
    private static readonly AssignmentOptions Defaults = new();

    private static GatewayLoadReport Report(string id, int connections, double weight = 1, bool draining = false, double cpu = 0.1, long at = 1) =>
        new(id, "http://" + id + ":5101", connections, cpu, 0, draining, weight, at);

    private static GatewayCandidate G(GatewayLoadReport report, long roomMembers = 0) => new(report, 0, roomMembers);

    [Fact]
    public void The_least_connections_per_weight_unit_wins()
    {
        // b: 150 / 2 = 75 per weight unit beats a's 100.
        Assert.Equal("b", AssignmentPolicy.Choose([G(Report("a", 100)), G(Report("b", 150, weight: 2))], Defaults)!.Report.Id);

        // b: 250 / 2 = 125 loses to a's 100.
        Assert.Equal("a", AssignmentPolicy.Choose([G(Report("a", 100)), G(Report("b", 250, weight: 2))], Defaults)!.Report.Id);
    }

    [Fact]
    public void Over_many_assignments_a_weight_2_gateway_gets_twice_the_clients()
    {
        var counts = new Dictionary<string, int> { ["a"] = 0, ["b"] = 0, ["c"] = 0 };
        for (var i = 0; i < 4000; i++)
        {
            var chosen = AssignmentPolicy.Choose(
                [G(Report("a", counts["a"])), G(Report("b", counts["b"], weight: 2)), G(Report("c", counts["c"]))], Defaults)!;
            counts[chosen.Report.Id]++;
        }

        Assert.InRange(counts["b"], 1999, 2001);
        Assert.InRange(counts["a"], 999, 1001);
        Assert.InRange(counts["c"], 999, 1001);
    }

    [Fact]
    public void A_draining_gateway_is_never_chosen_even_when_empty()
    {
        Assert.Equal("b", AssignmentPolicy.Choose([G(Report("a", 0, draining: true), 50), G(Report("b", 5000))], Defaults)!.Report.Id);
        Assert.Null(AssignmentPolicy.Choose([G(Report("a", 0, draining: true)), G(Report("b", 0, draining: true))], Defaults));
        Assert.Null(AssignmentPolicy.Choose([], Defaults));
    }

    [Fact]
    public void A_gateway_over_the_cpu_guard_is_passed_over_unless_all_are()
    {
        Assert.Equal("b", AssignmentPolicy.Choose([G(Report("a", 10, cpu: 0.95)), G(Report("b", 500, cpu: 0.5))], Defaults)!.Report.Id);
        Assert.Equal("a", AssignmentPolicy.Choose([G(Report("a", 10, cpu: 0.95)), G(Report("b", 500, cpu: 0.9))], Defaults)!.Report.Id);
    }

    [Fact]
    public void Equal_load_goes_to_the_lower_cpu()
    {
        Assert.Equal("b", AssignmentPolicy.Choose([G(Report("a", 10, cpu: 0.5)), G(Report("b", 10, cpu: 0.2))], Defaults)!.Report.Id);
    }

    [Fact]
    public void A_hot_room_gathers_on_a_gateway_already_in_it_while_its_load_is_within_the_slack()
    {
        // b is in the room and within least × 1.25 + 200 (900 × 1.25 + 200 = 1325).
        Assert.Equal("b", AssignmentPolicy.Choose([G(Report("a", 900)), G(Report("b", 1300), roomMembers: 100)], Defaults)!.Report.Id);

        // Beyond the slack the least loaded wins and opens the room there.
        Assert.Equal("a", AssignmentPolicy.Choose([G(Report("a", 900)), G(Report("b", 1400), roomMembers: 100)], Defaults)!.Report.Id);
    }

    [Fact]
    public void A_gateway_holding_the_most_members_of_a_room_a_gateway_should_takes_no_more_of_them()
    {
        var full = G(Report("b", 2600), roomMembers: Defaults.MaxRoomMembersPerGateway);
        Assert.Equal("a", AssignmentPolicy.Choose([G(Report("a", 2500)), full], Defaults)!.Report.Id);
    }

    [Fact]
    public void A_join_storm_into_one_room_on_busy_gateways_spreads_it_over_just_enough_of_them()
    {
        // 6,000 viewers of one room arrive at four gateways carrying 10,000 connections of other rooms each: the room
        // gathers on one gateway up to the cap, then opens on the next least loaded: ceil(6000 / 2500) = 3 gateways,
        // not 4 (one bus copy per event fewer), and none holds more than the cap.
        const int Background = 10_000;
        var members = new Dictionary<string, int> { ["a"] = 0, ["b"] = 0, ["c"] = 0, ["d"] = 0 };
        for (var i = 0; i < 6000; i++)
        {
            var chosen = AssignmentPolicy.Choose(members.Select(kv => G(Report(kv.Key, Background + kv.Value), kv.Value)).ToList(), Defaults)!;
            members[chosen.Report.Id]++;
        }

        Assert.Equal(3, members.Values.Count(n => n > 0));
        Assert.All(members.Values, n => Assert.True(n <= Defaults.MaxRoomMembersPerGateway, $"{n} members on one gateway"));
    }

    [Fact]
    public void The_ledger_spreads_a_storm_between_two_reports_of_the_same_figures()
    {
        var ledger = new AssignmentLedger();
        var reports = new[] { Report("a", 100, at: 7), Report("b", 100, at: 7), Report("c", 100, at: 7) };
        var counts = new Dictionary<string, int> { ["a"] = 0, ["b"] = 0, ["c"] = 0 };
        for (var i = 0; i < 300; i++)
        {
            var chosen = AssignmentPolicy.Choose(reports.Select(r => new GatewayCandidate(r, ledger.Pending(r), 0)).ToList(), Defaults)!;
            ledger.Handed(chosen.Report);
            counts[chosen.Report.Id]++;
        }

        Assert.All(counts.Values, n => Assert.Equal(100, n));

        // A newer report counts those clients itself: the tally starts again.
        Assert.Equal(0, ledger.Pending(reports[0] with { ReportedAt = 8 }));
    }
}

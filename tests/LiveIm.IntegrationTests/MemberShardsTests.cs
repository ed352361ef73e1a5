using LiveIm.Core.Identity;
using LiveIm.RoomGateway.Delivery;
using LiveIm.RoomGateway.Rooms;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>The sharded membership under a join storm: adds and removes racing a tick's walk over the members.</summary>
public sealed class MemberShardsTests
{
    private static RoomMember NewMember(int i) => new(
        new HubConnectionContext(new DefaultConnectionContext("c" + i), new HubConnectionContextOptions(), NullLoggerFactory.Instance),
        new MemberIdentity("u" + i, "U", Roles.Viewer, null), new FanoutOptions(), new FanoutMetrics());

    [Fact]
    public void Add_and_remove_keep_every_member_exactly_once()
    {
        var shards = new MemberShards();
        var members = Enumerable.Range(0, 1000).Select(NewMember).ToList();
        members.ForEach(shards.Add);
        Assert.Equal(1000, shards.Count);
        foreach (var m in members.Where((_, i) => i % 3 == 0))
        {
            Assert.True(shards.Remove(m));
            Assert.False(shards.Remove(m)); // twice is a no-op
        }

        var left = members.Where((_, i) => i % 3 != 0).ToHashSet();
        Assert.Equal(left.Count, shards.Count);
        Assert.True(left.SetEquals(shards.Snapshot()));
        Assert.Equal(shards.Count, shards.Snapshot().Length); // no duplicates
    }

    [Fact]
    public async Task A_join_storm_racing_ticks_never_loses_or_repeats_a_stable_member()
    {
        var shards = new MemberShards();
        var stable = Enumerable.Range(0, 500).Select(NewMember).ToList();
        stable.ForEach(shards.Add);
        var churn = Enumerable.Range(1000, 4000).Select(NewMember).ToArray();
        using var stop = new CancellationTokenSource();

        // Four writers join and leave as fast as they can while ticks walk the shards.
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            var mine = churn.Where((_, i) => i % 4 == w).ToArray();
            while (!stop.IsCancellationRequested)
            {
                foreach (var m in mine)
                {
                    shards.Add(m);
                }

                foreach (var m in mine)
                {
                    shards.Remove(m);
                }
            }
        })).ToArray();

        var deadline = DateTime.UtcNow.AddSeconds(1.5);
        while (DateTime.UtcNow < deadline)
        {
            var seen = new HashSet<RoomMember>();
            var duplicates = 0;
            for (var s = 0; s < shards.ShardCount; s++)
            {
                shards.ForEachInShard(s, ref seen, (RoomMember m, ref HashSet<RoomMember> set) =>
                {
                    if (!set.Add(m))
                    {
                        duplicates++;
                    }
                });
            }

            Assert.Equal(0, duplicates);
            Assert.True(stable.All(seen.Contains), "every stable member is visited by every tick");
        }

        await stop.CancelAsync();
        await Task.WhenAll(writers);
        Assert.Equal(stable.Count, shards.Count); // every churned member left again
    }
}

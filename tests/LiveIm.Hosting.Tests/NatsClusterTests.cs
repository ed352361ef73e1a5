using System.Diagnostics;
using LiveIm.Core.Bus;
using LiveIm.Testing;

namespace LiveIm.Hosting.Tests;

/// <summary>The bus on a three-node cluster (routes between every pair): failover to a node it was never told about.</summary>
public sealed class NatsClusterTests : IAsyncLifetime
{
    private NatsCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await NatsCluster.StartAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync().AsTask();

    [Fact]
    public async Task Given_one_node_a_bus_fails_over_to_another_within_2_seconds_when_that_node_is_killed_and_keeps_its_subscriptions()
    {
        var first = _cluster.Nodes[0];
        await using var moving = await TestBus.StartAsync(first.Url, "moving"); // knows only node 1; learns the rest from its INFO
        await using var publisher = await TestBus.StartAsync(_cluster.Nodes[1].Url, "publisher");
        await Eventually.TrueAsync(async () => await _cluster.NodeOfClientAsync("moving") == first, TimeSpan.FromSeconds(5), "moving is on node 1");
        var received = 0;
        await using var sub = await moving.Bus.SubscribeAsync("cluster.events", null, _ => { Interlocked.Increment(ref received); return ValueTask.CompletedTask; });
        await Eventually.TrueAsync(async () =>
        {
            await publisher.Bus.PublishAsync("cluster.events", "x"u8.ToArray());
            await Task.Delay(20);
            return received > 0;
        }, TimeSpan.FromSeconds(5), "the subscription's interest reaches node 2 over the route");

        var watch = Stopwatch.StartNew();
        await first.StopAsync(); // SIGKILL
        await Eventually.TrueAsync(() => moving.Bus.IsConnected && watch.Elapsed > TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(5), "moving reconnects");
        var connectedAfter = watch.Elapsed;
        Assert.True(connectedAfter < TimeSpan.FromSeconds(2), $"on another node after {connectedAfter}");

        // The node's monitoring endpoint lists the new connection a moment after the client sees it connected.
        NatsServer? node = null;
        await Eventually.TrueAsync(async () => (node = await _cluster.NodeOfClientAsync("moving")) is not null, TimeSpan.FromSeconds(5), "a node lists moving");
        Assert.NotNull(node);
        Assert.NotEqual(first, node);

        var before = received;
        await Eventually.TrueAsync(async () =>
        {
            await publisher.Bus.PublishAsync("cluster.events", "y"u8.ToArray());
            await Task.Delay(20);
            return received > before;
        }, TimeSpan.FromSeconds(5), "the subscription was re-made on the new node");
    }
}

using Xunit;
using Xunit.Abstractions;

namespace LiveIm.IntegrationTests;

/// <summary>
/// The runtime settings the gateway ships with, read off a running gateway process (RoomGateway.csproj says why each
/// was chosen; docs/performance.md has the measurements).
/// </summary>
[Collection(HostileCollection.Name)]
public sealed class GatewayRuntimeTests
{
    private readonly HostileCluster _cluster;
    private readonly ITestOutputHelper _output;

    public GatewayRuntimeTests(HostileCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
    }

    /// <summary>
    /// Workstation GC with background collections. A running gateway has no ".NET Server GC" threads (Server GC starts
    /// one per heap at start-up, with DATAS too); the background GC thread (".NET BGC") starts at the first background
    /// collection, so whether they are on is read from the runtime configuration the process started with.
    /// Server GC would bring back the join storm's free space inside the committed heap (several KB per idle connection).
    /// </summary>
    [Fact]
    public void The_gateway_runs_workstation_GC_with_background_collections()
    {
        var threads = _cluster.Target.ThreadNames();
        _output.WriteLine(string.Join(", ", threads.Where(t => t.StartsWith(".NET", StringComparison.Ordinal)).Order(StringComparer.Ordinal)));
        Assert.Contains(".NET Finalizer", threads); // the names are readable: a .NET process's finalizer thread
        Assert.DoesNotContain(threads, t => t.StartsWith(".NET Server GC", StringComparison.Ordinal));

        var config = Path.ChangeExtension(typeof(LiveIm.RoomGateway.GatewaySetup).Assembly.Location, ".runtimeconfig.json");
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(config));
        var properties = json.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.False(properties.GetProperty("System.GC.Server").GetBoolean(), config);
        Assert.True(properties.GetProperty("System.GC.Concurrent").GetBoolean(), config);
    }
}

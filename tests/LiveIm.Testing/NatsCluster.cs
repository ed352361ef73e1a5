using System.Text.Json;

namespace LiveIm.Testing;

/// <summary>
/// Three real <c>nats-server</c> nodes on loopback, each with client, cluster and monitoring ports of its own and
/// routes to the other two (a full mesh, as a production cluster runs). Clients given any one node learn the others
/// from its INFO (<c>connect_urls</c>) and fail over to them.
/// </summary>
public sealed class NatsCluster : IAsyncDisposable
{
    private NatsCluster(IReadOnlyList<NatsServer> nodes)
    {
        Nodes = nodes;
    }

    /// <summary>The nodes, each started with routes to the others.</summary>
    public IReadOnlyList<NatsServer> Nodes { get; }

    /// <summary>Every node's client URL, comma-separated (a <c>Nats:Url</c> seed list).</summary>
    public string Urls => string.Join(",", Nodes.Select(n => n.Url));

    /// <summary>Starts <paramref name="size"/> nodes and waits until every node has a route to every other.</summary>
    public static async Task<NatsCluster> StartAsync(int size = 3, string name = "liveim-test")
    {
        var routePorts = Enumerable.Range(0, size).Select(_ => FreePort.Next()).ToArray();
        var routes = string.Join(",", routePorts.Select(p => $"nats://127.0.0.1:{p}"));
        var nodes = routePorts.Select((port, i) => new NatsServer(null, null,
            "--name", $"{name}-{i + 1}", "--cluster_name", name, "--cluster", $"nats://127.0.0.1:{port}", "--routes", routes)).ToList();
        var cluster = new NatsCluster(nodes);
        try
        {
            foreach (var node in nodes)
            {
                await node.StartAsync();
            }

            await cluster.WaitForRoutesAsync(TimeSpan.FromSeconds(20));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until every running node has a route to every other running node.</summary>
    public async Task WaitForRoutesAsync(TimeSpan timeout)
    {
        var running = Nodes.Where(n => n.IsRunning).ToList();
        await Eventually.TrueAsync(async () =>
        {
            foreach (var node in running)
            {
                if (await RoutesAsync(node) < running.Count - 1)
                {
                    return false;
                }
            }

            return true;
        }, timeout, $"every node of the NATS cluster routes to the other {running.Count - 1}");
    }

    /// <summary>The node whose <c>/connz</c> lists a client named <paramref name="clientName"/>, or null.</summary>
    public async Task<NatsServer?> NodeOfClientAsync(string clientName)
    {
        foreach (var node in Nodes.Where(n => n.IsRunning))
        {
            try
            {
                using var connz = JsonDocument.Parse(await node.MonitorAsync("connz?limit=1000"));
                if (connz.RootElement.GetProperty("connections").EnumerateArray()
                    .Any(c => c.TryGetProperty("name", out var n) && n.GetString() == clientName))
                {
                    return node;
                }
            }
            catch (HttpRequestException)
            {
                // A node going down meanwhile.
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
    }

    private static async Task<int> RoutesAsync(NatsServer node)
    {
        try
        {
            using var routez = JsonDocument.Parse(await node.MonitorAsync("routez"));
            return routez.RootElement.GetProperty("num_routes").GetInt32();
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }
}

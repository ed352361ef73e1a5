using System.Diagnostics;

namespace LiveIm.Testing;

/// <summary>
/// A real three-master Redis Cluster on loopback: three <c>redis-server --cluster-enabled yes</c> on free ports (client
/// and cluster-bus ports both chosen free, not port + 10000), joined with <c>redis-cli --cluster create ...
/// --cluster-yes</c>, no replicas. Every node's state lives in a temporary folder removed on dispose.
/// </summary>
public sealed class RedisCluster : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("liveim-redis-cluster").FullName;
    private readonly List<RedisServer> _nodes = [];

    /// <summary>The masters.</summary>
    public IReadOnlyList<RedisServer> Nodes => _nodes;

    /// <summary>A StackExchange.Redis configuration string naming every node (what <c>Redis:Configuration</c> takes).</summary>
    public string Configuration => string.Join(",", _nodes.Select(n => n.EndPoint));

    /// <summary>Starts the three nodes, creates the cluster and waits until every node reports <c>cluster_state:ok</c>.</summary>
    public static async Task<RedisCluster> StartNewAsync(int masters = 3)
    {
        var cluster = new RedisCluster();
        try
        {
            for (var i = 0; i < masters; i++)
            {
                var port = FreePort.Next();
                var node = new RedisServer(
                    port,
                    "--cluster-enabled", "yes",
                    "--cluster-port", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--cluster-config-file", Path.Combine(cluster._folder, $"nodes-{port}.conf"),
                    "--cluster-node-timeout", "2000",
                    "--dir", cluster._folder);
                cluster._nodes.Add(node);
                await node.StartAsync();
            }

            await RunCliAsync(["--cluster", "create", .. cluster._nodes.Select(n => n.EndPoint), "--cluster-replicas", "0", "--cluster-yes"]);
            var deadline = Stopwatch.StartNew();
            foreach (var node in cluster._nodes)
            {
                while (!(await RunCliAsync(["-p", node.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "cluster", "info"])).Contains("cluster_state:ok", StringComparison.Ordinal))
                {
                    if (deadline.Elapsed > TimeSpan.FromSeconds(20))
                    {
                        throw new TimeoutException($"the Redis Cluster on {cluster.Configuration} did not reach cluster_state:ok");
                    }

                    await Task.Delay(50);
                }
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <c>redis-cli</c> with <paramref name="args"/> and returns what it printed; throws when it fails.</summary>
    public static async Task<string> RunCliAsync(IReadOnlyList<string> args)
    {
        var psi = new ProcessStartInfo(ServerBinary.Find("redis-cli", "redis-tools"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var cli = Process.Start(psi)!;
        var output = cli.StandardOutput.ReadToEndAsync();
        var error = cli.StandardError.ReadToEndAsync();
        await cli.WaitForExitAsync();
        var text = await output + await error;
        if (cli.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli {string.Join(' ', args)} exited with {cli.ExitCode}:\n{text}");
        }

        return text;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A node still closing its files: the temporary folder is left behind.
        }
    }
}

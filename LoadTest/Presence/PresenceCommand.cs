using System.Diagnostics;
using System.Globalization;
using System.Text;
using LiveIm.Hosting.Metrics;
using LiveIm.Hosting.Presence;
using LiveIm.Hosting.Redis;
using LiveIm.LoadTest.Fanout;
using LiveIm.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveIm.LoadTest.Presence;

/// <summary>
/// <c>LoadTest presence</c>: what presence costs Redis at a given scale (docs/performance.md, "Presence"). Runs the
/// real <see cref="RedisPresenceStore"/> (the script gateways and RoomService run) from <c>--gateways</c> simulated
/// gateways, each with its own connection (a <see cref="RedisConnection"/>, as each real process has one) and its own phase in the interval as real gateways have, plus one
/// RoomService broadcast pass per interval, against a redis-server started here; Redis's INFO commandstats and
/// CPU before and after give the commands/s and script calls/s it executed.
/// </summary>
public static class PresenceCommand
{
    /// <summary>The subcommand name.</summary>
    public const string Name = "presence";

    /// <summary>Runs with the arguments after <c>presence</c>; 0 ok, 2 bad options.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Any(a => a is "-h" or "--help"))
        {
            Console.WriteLine(PresenceLoadOptions.Usage);
            return 0;
        }

        PresenceLoadOptions options;
        try
        {
            options = PresenceLoadOptions.Parse(args);
        }
        catch (OptionsException ex)
        {
            await Console.Error.WriteLineAsync("presence: " + ex.Message);
            return 2;
        }

        Console.WriteLine(await RunAsync(options));
        return 0;
    }

    /// <summary>Runs the simulation; returns the report (markdown).</summary>
    public static async Task<string> RunAsync(PresenceLoadOptions o)
    {
        await using var server = await RedisServer.StartNewAsync();
        var interval = TimeSpan.FromSeconds(o.IntervalSeconds);
        var ttl = interval * PresenceOptions.TtlIntervals;
        var rooms = Enumerable.Range(0, o.Rooms).Select(r => "room" + r.ToString(CultureInfo.InvariantCulture)).ToArray();
        using var metrics = new BackendMetrics();
        var settings = new RedisSettings { EndPoint = server.EndPoint, TimeoutMs = 10_000 };
        var clients = new List<RedisConnection>();
        for (var g = 0; g <= o.Gateways; g++)
        {
            var client = new RedisConnection(settings, g < o.Gateways ? "gw" + g : "roomservice", metrics, NullLoggerFactory.Instance);
            await client.WaitConnectedAsync(TimeSpan.FromSeconds(10));
            clients.Add(client);
        }

        await using var stats = new RedisConnection(settings, "stats", metrics, NullLoggerFactory.Instance);
        await stats.WaitConnectedAsync(TimeSpan.FromSeconds(10));

        var latencies = new List<double>();
        var measuring = false;
        long reports = 0, passes = 0, broadcasts = 0;
        using var stop = new CancellationTokenSource();

        // Each gateway reports every room each interval, at its own phase (gateways start at different times).
        async Task GatewayAsync(int g)
        {
            var presence = new RedisPresenceStore(clients[g]);
            var random = new Random(g);
            await Task.Delay(interval * g / o.Gateways, stop.Token);
            using var timer = new PeriodicTimer(interval);
            do
            {
                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

                // Viewers come and go: each count moves by up to ±0.5 % between reports, so totals change and the
                // broadcast pass publishes (the expensive case).
                var local = o.ViewersPerRoom / o.Gateways;
                var calls = rooms.Select(async room =>
                {
                    var start = Stopwatch.GetTimestamp();
                    await presence.ReportAsync(room, "gw" + g, local + random.Next(-local / 200, local / 200 + 1), now, ttl, CancellationToken.None);
                    return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }).ToList();
                await presence.MarkRoomsLiveAsync(rooms, now + (long)ttl.TotalMilliseconds, CancellationToken.None);
                var ms = await Task.WhenAll(calls);
                if (Volatile.Read(ref measuring))
                {
                    lock (latencies)
                    {
                        latencies.AddRange(ms);
                    }

                    Interlocked.Add(ref reports, ms.Length);
                }
            }
            while (await timer.WaitForNextTickAsync(stop.Token));
        }

        // RoomService's pass, as PresenceBroadcaster runs it (lease, live rooms, one check per room).
        async Task RoomServiceAsync()
        {
            var presence = new RedisPresenceStore(clients[o.Gateways]);
            using var timer = new PeriodicTimer(interval);
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                if (!await presence.TryLeadAsync("rs", interval * 0.9, CancellationToken.None))
                {
                    continue;
                }

                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                var live = await presence.LiveRoomsAsync(now, CancellationToken.None);
                var checks = await Task.WhenAll(live.Select(r => presence.CheckBroadcastAsync(r, now, ttl, CancellationToken.None)));
                if (Volatile.Read(ref measuring))
                {
                    Interlocked.Increment(ref passes);
                    Interlocked.Add(ref broadcasts, checks.Count(c => c.Changed));
                }
            }
        }

        var tasks = Enumerable.Range(0, o.Gateways).Select(GatewayAsync).Append(RoomServiceAsync()).ToList();
        await Task.Delay(interval + TimeSpan.FromMilliseconds(200)); // warm-up: scripts loaded (SCRIPT LOAD once per client), keys exist
        var before = await ReadStatsAsync(stats);
        var clock = Stopwatch.StartNew();
        Volatile.Write(ref measuring, true);
        await Task.Delay(TimeSpan.FromSeconds(o.Seconds));
        Volatile.Write(ref measuring, false);
        var after = await ReadStatsAsync(stats);
        var seconds = clock.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        try
        {
            await Task.WhenAll(tasks);
        }
        catch (OperationCanceledException)
        {
        }

        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        return Report(o, before, after, seconds, latencies, reports, passes, broadcasts);
    }

    private static string Report(
        PresenceLoadOptions o, Stats before, Stats after, double seconds, List<double> latencies, long reports, long passes, long broadcasts)
    {
        // The client's own housekeeping (handshake, topology and role checks, keep-alive) is not presence's cost.
        var deltas = after.Calls.Where(kv => !kv.Key.StartsWith("client|", StringComparison.Ordinal)
                && kv.Key is not ("info" or "hello" or "config|get" or "cluster|nodes" or "subscribe" or "echo" or "ping" or "script|load"))
            .Select(kv => (Command: kv.Key, Calls: kv.Value - before.Calls.GetValueOrDefault(kv.Key)))
            .Where(d => d.Calls > 0).OrderByDescending(d => d.Calls).ToList();
        var total = deltas.Sum(d => d.Calls);
        var scripts = deltas.Where(d => d.Command is "evalsha" or "eval").Sum(d => d.Calls);
        latencies.Sort();
        double Pct(double p) => latencies.Count == 0 ? 0 : latencies[Math.Min(latencies.Count - 1, (int)(p * latencies.Count))];
        var cpu = (after.CpuSeconds - before.CpuSeconds) / seconds * 100;
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"#### LoadTest presence: {o.Rooms} rooms x {o.ViewersPerRoom:N0} viewers x {o.Gateways} gateways, interval {o.IntervalSeconds} s");
        text.AppendLine();
        text.AppendLine(inv, $"Measured {seconds:0.0} s after one interval of warm-up; redis-server 7 on loopback, one connection per simulated gateway plus one for RoomService.");
        text.AppendLine();
        text.AppendLine("| figure | value |");
        text.AppendLine("|---|---:|");
        text.AppendLine(inv, $"| Redis commands/s (INFO commandstats, commands run inside scripts included) | {total / seconds:N0} |");
        text.AppendLine(inv, $"| script calls/s (EVALSHA + EVAL) | {scripts / seconds:N0} |");
        text.AppendLine(inv, $"| expected script calls/s: rooms x (gateways + 1 broadcast check) / interval | {o.Rooms * (o.Gateways + 1) / (double)o.IntervalSeconds:N0} |");
        text.AppendLine(inv, $"| reports measured | {reports:N0} |");
        text.AppendLine(inv, $"| per-report latency p50 / p99 / max (ms; the gateway's {o.Rooms} calls go out in one pipeline flush) | {Pct(0.50):0.00} / {Pct(0.99):0.00} / {(latencies.Count == 0 ? 0 : latencies[^1]):0.00} |");
        text.AppendLine(inv, $"| broadcast passes / online events that would be published | {passes:N0} / {broadcasts:N0} |");
        text.AppendLine(inv, $"| redis-server CPU, % of one core | {cpu:0.0} |");
        text.AppendLine();
        text.AppendLine("| command | calls/s |");
        text.AppendLine("|---|---:|");
        foreach (var (command, calls) in deltas)
        {
            text.AppendLine(inv, $"| {command} | {calls / seconds:N1} |");
        }

        text.AppendLine();
        text.AppendLine(inv, $"Command: `dotnet run -c Release --project LoadTest -- presence --rooms {o.Rooms} --gateways {o.Gateways} --viewers-per-room {o.ViewersPerRoom} --seconds {o.Seconds} --interval {o.IntervalSeconds}`");
        return text.ToString();
    }

    private sealed record Stats(Dictionary<string, long> Calls, double CpuSeconds);

    private static async Task<Stats> ReadStatsAsync(RedisConnection redis)
    {
        // cmdstat_<name>:calls=<n>,usec=...   used_cpu_sys:<s>  used_cpu_user:<s>
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in (await InfoAsync(redis, "commandstats")).Split('\n'))
        {
            if (line.StartsWith("cmdstat_", StringComparison.Ordinal))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var value = line[(colon + "calls=".Length + 1)..];
                calls[line[8..colon]] = long.Parse(value[..value.IndexOf(',', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            }
        }

        double cpu = 0;
        foreach (var line in (await InfoAsync(redis, "cpu")).Split('\n'))
        {
            if (line.StartsWith("used_cpu_sys:", StringComparison.Ordinal) || line.StartsWith("used_cpu_user:", StringComparison.Ordinal))
            {
                cpu += double.Parse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        return new Stats(calls, cpu);
    }

    private static async Task<string> InfoAsync(RedisConnection redis, string section) =>
        (string?)await redis.RunAsync(db => db.ExecuteAsync("INFO", section)) ?? string.Empty;
}

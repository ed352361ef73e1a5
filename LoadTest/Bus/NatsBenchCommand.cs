using System.Text.Json;
using LiveIm.LoadTest.Fanout;
using LiveIm.LoadTest.Measurement;
using LiveIm.Testing;

namespace LiveIm.LoadTest.Bus;

/// <summary>
/// <c>LoadTest nats</c>: what one nats-server routes per core with LiveIm's bus traffic (room events fanned out to the
/// gateways holding each room, chat requests and replies through RoomService's queue group), measured as the
/// server's own CPU per message so that the capacity model (docs/capacity.md, formula 8) can size the NATS nodes.
/// </summary>
public static class NatsBenchCommand
{
    /// <summary>The subcommand name.</summary>
    public const string Name = "nats";

    /// <summary>Runs with the arguments after <c>nats</c>; 0 ok, 1 a step did not deliver exactly or a run failed, 2 bad options.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Any(a => a is "-h" or "--help"))
        {
            Console.WriteLine(NatsBenchOptions.Usage);
            return 0;
        }

        NatsBenchOptions options;
        try
        {
            options = NatsBenchOptions.Parse(args);
        }
        catch (OptionsException ex)
        {
            await Console.Error.WriteLineAsync("nats: " + ex.Message);
            return 2;
        }

        var commandLine = "dotnet run -c Release --project LoadTest -- nats " + string.Join(' ', args);
        var results = new List<NatsBenchResult>();
        string version;
        try
        {
            await using var nats = new NatsServer();
            Console.Error.WriteLine($"starting nats-server on 127.0.0.1:{nats.Port} (monitoring {nats.MonitorPort})");
            await nats.StartAsync();
            var server = new NatsBenchServer(nats.Url, nats.ProcessId ?? throw new InvalidOperationException("nats-server exited at start"), () => nats.MonitorAsync("varz"));
            using (var varz = JsonDocument.Parse(await server.VarzAsync()))
            {
                version = varz.RootElement.TryGetProperty("version", out var v) ? v.GetString() ?? "?" : "?";
            }

            foreach (var step in options.Steps)
            {
                results.Add(await NatsBenchRunner.RunAsync(server, step, options, m => Console.Error.WriteLine(m), CancellationToken.None));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException or NATS.Client.Core.NatsException)
        {
            await Console.Error.WriteLineAsync("nats: " + ex.Message);
            return 1;
        }

        var report = NatsBenchReport.Render(results, options, version, commandLine, await MachineFacts.CollectAsync());
        Console.Write(report);
        if (options.Out is { } path)
        {
            await File.WriteAllTextAsync(path, report);
        }

        if (options.Json is { } json)
        {
            await File.WriteAllTextAsync(json, NatsBenchReport.Inputs(results, options, commandLine, DateTimeOffset.UtcNow).ToJson());
        }

        return results.All(r => r.DeliveryExact) ? 0 : 1;
    }
}

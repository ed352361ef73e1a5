using LiveIm.LoadTest.Fanout;
using LiveIm.LoadTest.Measurement;

namespace LiveIm.LoadTest.Scaling;

/// <summary>
/// <c>LoadTest scale</c>: the proof that one room's costs scale as the capacity model says (docs/capacity.md): each
/// room event crosses the bus once per gateway holding members, RoomService CPU and Redis commands per event do not
/// grow with the gateway count, and gateway CPU per delivery stays flat.
/// </summary>
public static class ScaleCommand
{
    /// <summary>The subcommand name.</summary>
    public const string Name = "scale";

    /// <summary>Runs with the arguments after <c>scale</c>; 0 ok, 1 a run failed, 2 bad options.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Any(a => a is "-h" or "--help"))
        {
            Console.WriteLine(ScaleOptions.Usage);
            return 0;
        }

        ScaleOptions options;
        try
        {
            options = ScaleOptions.Parse(args);
        }
        catch (OptionsException ex)
        {
            await Console.Error.WriteLineAsync("scale: " + ex.Message);
            return 2;
        }

        var commandLine = "dotnet run -c Release --project LoadTest -- scale " + string.Join(' ', args);
        var results = new List<ScaleResult>();
        try
        {
            foreach (var gateways in options.Gateways)
            {
                results.Add(await ScaleRunner.RunAsync(gateways, options, m => Console.Error.WriteLine(m), CancellationToken.None));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or FileNotFoundException or HttpRequestException)
        {
            await Console.Error.WriteLineAsync("scale: " + ex.Message);
            return 1;
        }

        var report = ScaleReport.Render(results, options, commandLine, await MachineFacts.CollectAsync());
        Console.Write(report);
        if (options.Out is { } path)
        {
            await File.WriteAllTextAsync(path, report);
        }

        if (options.Json is { } json)
        {
            await File.WriteAllTextAsync(json, ScaleReport.Inputs(results, commandLine, DateTimeOffset.UtcNow).ToJson());
        }

        return results.All(r => r.BusCopiesExact) ? 0 : 1;
    }
}

namespace LiveIm.LoadTest.Service;

/// <summary><c>LoadTest service [options]</c>: parse, run, print the report to stdout (progress to stderr), write <c>--out</c>.</summary>
public static class ServiceCommand
{
    /// <summary>The subcommand name.</summary>
    public const string Name = "service";

    /// <summary>Runs with the arguments after <c>service</c>; returns the exit code (0 ok, 1 a run failed, 2 bad options or a missing build).</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Any(a => a is "-h" or "--help"))
        {
            Console.WriteLine(ServiceOptions.Usage);
            return 0;
        }

        ServiceOptions options;
        try
        {
            options = ServiceOptions.Parse(args);
            foreach (var root in options.SystemRoots)
            {
                // Every build is there before anything starts.
                Targets.RepoLayout.ProjectDll("RoomService", root);
                Targets.RepoLayout.ProjectDll("RoomGateway", root);
            }
        }
        catch (Exception ex) when (ex is Fanout.OptionsException or FileNotFoundException)
        {
            await Console.Error.WriteLineAsync("service: " + ex.Message);
            return 2;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            if (!cancel.IsCancellationRequested)
            {
                e.Cancel = true;
                cancel.Cancel();
            }
        };

        ServiceReport report;
        try
        {
            report = await new ServiceRunner(options, Console.Error).RunAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("service: cancelled");
            return 130;
        }

        var markdown = report.ToMarkdown();
        Console.WriteLine(markdown);
        if (options.Out is { } path)
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (dir is not null)
            {
                Directory.CreateDirectory(dir);
            }

            await File.WriteAllTextAsync(path, markdown + Environment.NewLine);
            await Console.Error.WriteLineAsync($"service: report written to {path}");
        }

        return report.AllRan ? 0 : 1;
    }
}

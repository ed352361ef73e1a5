using LiveIm.LoadTest.Measurement;

namespace LiveIm.LoadTest.Fanout;

/// <summary>
/// <c>LoadTest fanout [options]</c>: parse, run, print the report (progress to stderr) and write it to <c>--out</c>. On a
/// terminal stdout gets <see cref="FanoutSummary"/> and the full report goes to <c>--out</c> (default
/// <c>fanout-report-&lt;time&gt;.md</c>); redirected, stdout gets the full Markdown.
/// </summary>
public static class FanoutCommand
{
    /// <summary>The subcommand name.</summary>
    public const string Name = "fanout";

    /// <summary>Runs with the arguments after <c>fanout</c>; returns the exit code (0 ok, 1 a target failed, 2 bad options).</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Any(a => a is "-h" or "--help"))
        {
            Console.WriteLine(FanoutOptions.Usage);
            return 0;
        }

        FanoutOptions options;
        try
        {
            options = FanoutOptions.Parse(args, ProcessStats.OpenFilesHardLimit());
        }
        catch (OptionsException ex)
        {
            await Console.Error.WriteLineAsync("fanout: " + ex.Message);
            return 2;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // First Ctrl+C stops the run (targets are still stopped cleanly); a second one kills the process.
            if (!cancel.IsCancellationRequested)
            {
                e.Cancel = true;
                cancel.Cancel();
            }
        };

        FanoutReport report;
        try
        {
            report = await new FanoutRunner(options, Console.Error).RunAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("fanout: cancelled");
            return 130;
        }

        // A person at a terminal gets the short summary and the full report in a file; a pipe or a redirect gets the
        // whole Markdown as before (scripts read its last line).
        var markdown = report.ToMarkdown();
        var path = options.Out;
        if (Console.IsOutputRedirected)
        {
            Console.WriteLine(markdown);
        }
        else
        {
            path ??= $"fanout-report-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture)}.md";
            Console.WriteLine(FanoutSummary.Render(report, path));
        }

        if (path is not null)
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (dir is not null)
            {
                Directory.CreateDirectory(dir);
            }

            await File.WriteAllTextAsync(path, markdown + Environment.NewLine);
            await Console.Error.WriteLineAsync($"fanout: report written to {path}");
        }

        return report.AllTargetsRan ? 0 : 1;
    }
}

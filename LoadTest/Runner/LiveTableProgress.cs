using Spectre.Console;

namespace LiveIm.LoadTest.Runner;

/// <summary>
/// Progress on a terminal: a Spectre.Console live table redrawn each second with the current second's headline
/// series, its errors by code, each process's CPU and RSS, and the last notes.
/// </summary>
public sealed class LiveTableProgress : IRunProgress
{
    private readonly IAnsiConsole _console;
    private readonly List<string> _notes = [];
    private readonly TaskCompletionSource _stop = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Sample? _latest;
    private string _title = string.Empty;
    private Task? _live;

    public LiveTableProgress(IAnsiConsole console)
    {
        _console = console ?? throw new ArgumentNullException(nameof(console));
    }

    /// <summary>True when stdout is an interactive terminal that can redraw (not CI, not redirected).</summary>
    public static bool IsTerminal => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive && AnsiConsole.Profile.Capabilities.Ansi;

    public void Start(string runName, IReadOnlyList<Scenario> scenarios)
    {
        ArgumentNullException.ThrowIfNull(scenarios);
        _title = $"spike {runName}: " + string.Join("; ", scenarios.Select(s => s.Name));
        _live = _console.Live(Render()).AutoClear(false).StartAsync(async context =>
        {
            while (!_stop.Task.IsCompleted)
            {
                context.UpdateTarget(Render());
                await Task.WhenAny(_stop.Task, Task.Delay(500)).ConfigureAwait(false);
            }

            context.UpdateTarget(Render());
        });
    }

    public void OnSample(Sample sample) => Volatile.Write(ref _latest, sample);

    public void Note(string line)
    {
        lock (_notes)
        {
            _notes.Add($"{DateTime.Now:HH:mm:ss} {line}");
            if (_notes.Count > 5)
            {
                _notes.RemoveAt(0);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.TrySetResult();
        if (_live is not null)
        {
            await _live.ConfigureAwait(false);
        }
    }

    private Table Render()
    {
        var table = new Table().Title(Markup.Escape(_title)).AddColumn("second").AddColumn(new TableColumn("value").RightAligned());
        var sample = Volatile.Read(ref _latest);
        if (sample is null)
        {
            table.AddRow("starting", string.Empty);
            return table;
        }

        table.AddRow("t", $"{sample.Seconds:0} s");
        foreach (var (label, series) in ProgressLine.Headline)
        {
            if (sample.Values.TryGetValue(series, out var v) && double.IsFinite(v))
            {
                table.AddRow(Markup.Escape(label), ProgressLine.Number(v));
            }
        }

        var errors = ProgressLine.Errors(sample).Take(6).ToArray();
        table.AddRow("errors", errors.Length == 0 ? "0" : $"[red]{errors.Sum(e => e.Value):N0}[/]");
        foreach (var (name, value) in errors)
        {
            table.AddRow("  " + Markup.Escape(name), $"[red]{ProgressLine.Number(value)}[/]");
        }

        foreach (var process in ProgressLine.Processes(sample))
        {
            var cpu = sample.Get($"cpu.{process}", double.NaN);
            table.AddRow(Markup.Escape($"{process} CPU / RSS"), $"{(double.IsFinite(cpu) ? $"{cpu:0} %" : "-")} / {sample.Get($"rss.{process}"):0} MB");
        }

        lock (_notes)
        {
            foreach (var note in _notes)
            {
                table.AddRow("[grey]note[/]", "[grey]" + Markup.Escape(note) + "[/]");
            }
        }

        return table;
    }
}

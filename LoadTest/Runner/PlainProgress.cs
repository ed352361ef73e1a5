namespace LiveIm.LoadTest.Runner;

/// <summary>Progress as plain lines (CI logs, a redirected terminal): one per second and one per note.</summary>
public sealed class PlainProgress : IRunProgress
{
    private readonly TextWriter _out;

    public PlainProgress(TextWriter output)
    {
        _out = output ?? throw new ArgumentNullException(nameof(output));
    }

    public void Start(string runName, IReadOnlyList<Scenario> scenarios)
    {
        ArgumentNullException.ThrowIfNull(scenarios);
        Write($"run {runName}: " + string.Join("; ", scenarios.Select(s => $"{s.Name} {string.Join(", ", s.Simulations)}")));
    }

    public void OnSample(Sample sample) => Write(ProgressLine.Format(sample));

    public void Note(string line) => Write(line);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void Write(string line)
    {
        lock (_out)
        {
            _out.WriteLine($"{DateTime.Now:HH:mm:ss} {line}");
            _out.Flush();
        }
    }
}

namespace LiveIm.LoadTest.Runner;

/// <summary>Where a run shows itself while it runs: a live table on a terminal, plain lines otherwise.</summary>
public interface IRunProgress : IAsyncDisposable
{
    /// <summary>Called once before the load starts.</summary>
    void Start(string runName, IReadOnlyList<Scenario> scenarios);

    /// <summary>Called after each second's sample.</summary>
    void OnSample(Sample sample);

    /// <summary>A line of news (a gateway killed, a phase began).</summary>
    void Note(string line);
}

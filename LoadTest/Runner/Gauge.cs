namespace LiveIm.LoadTest.Runner;

/// <summary>A custom metric read each second (connections, online count, …): the series shows its value.</summary>
public sealed class Gauge
{
    private readonly Func<double> _read;

    public Gauge(string name, Func<double> read)
    {
        Name = name;
        _read = read ?? throw new ArgumentNullException(nameof(read));
    }

    /// <summary>The metric's name.</summary>
    public string Name { get; }

    /// <summary>Its value now (NaN when the reader throws: a dead process must not stop the run).</summary>
    public double Read()
    {
        try
        {
            return _read();
        }
#pragma warning disable CA1031 // A gauge that cannot be read shows a gap; the run goes on.
        catch (Exception)
#pragma warning restore CA1031
        {
            return double.NaN;
        }
    }
}

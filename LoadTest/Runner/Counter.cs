namespace LiveIm.LoadTest.Runner;

/// <summary>A custom metric that only grows (deliveries, reconnects, …); the series shows its growth per second.</summary>
public sealed class Counter
{
    private long _value;

    public Counter(string name)
    {
        Name = name;
    }

    /// <summary>The metric's name (<c>deliveries</c>, <c>gift.lost</c>, …).</summary>
    public string Name { get; }

    /// <summary>The count so far.</summary>
    public long Value => Interlocked.Read(ref _value);

    /// <summary>Adds <paramref name="n"/>.</summary>
    public void Add(long n = 1) => Interlocked.Add(ref _value, n);

    /// <summary>Sets the count (for a figure computed at the end, such as gifts lost).</summary>
    public void Set(long value) => Interlocked.Exchange(ref _value, value);
}

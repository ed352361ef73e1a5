using System.Net;

namespace LiveIm.LoadTest.Clients;

/// <summary>
/// Loopback source addresses for the receivers: 127.0.0.1, 127.0.0.2, … one per <see cref="PerAddress"/>
/// connections, rotating over the whole run (all targets). A source address has ~28,000 ephemeral ports
/// (32768-60999), and closed connections keep theirs in TIME_WAIT for a minute, so three targets × 10,000
/// receivers from one address could run out; four addresses never do.
/// </summary>
internal sealed class SourceAddresses
{
    /// <summary>Connections per address before moving to the next.</summary>
    public const int PerAddress = 10_000;

    private readonly IPAddress[] _addresses;
    private long _handed;

    public SourceAddresses(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 254);
        _addresses = Enumerable.Range(1, count).Select(i => new IPAddress(new byte[] { 127, 0, 0, (byte)i })).ToArray();
    }

    /// <summary>The address for the next connection attempt.</summary>
    public IPAddress Next()
    {
        var n = Interlocked.Increment(ref _handed) - 1;
        return _addresses[n / PerAddress % _addresses.Length];
    }
}

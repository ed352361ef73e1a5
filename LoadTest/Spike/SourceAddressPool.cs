using System.Net;

namespace LiveIm.LoadTest.Spike;

/// <summary>
/// Source addresses for the spike's connections: 127.0.0.1 … 127.0.0.254 in turn, one per connection attempt. A
/// gateway admits 200 connections per client address by default (Limits:MaxConnectionsPerIp), so one host playing
/// 20,000 viewers spreads them at ~80 per address and meets the real per-address cap only when a scenario means to.
/// </summary>
internal sealed class SourceAddressPool
{
    private static readonly IPAddress[] Addresses =
        Enumerable.Range(1, 254).Select(i => new IPAddress(new byte[] { 127, 0, 0, (byte)i })).ToArray();

    private long _next;

    /// <summary>The address for the next connection.</summary>
    public IPAddress Next() => Addresses[(Interlocked.Increment(ref _next) - 1) % Addresses.Length];
}

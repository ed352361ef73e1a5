using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace LiveIm.RoomGateway.Limits;

/// <summary>
/// Counts the gateway's open hub connections, in total and per IP address, against
/// <see cref="LimitsOptions.MaxConnections"/> and <see cref="LimitsOptions.MaxConnectionsPerIp"/>. A connection is
/// counted for as long as its WebSocket request runs (<see cref="ConnectionCapMiddleware"/>).
/// </summary>
/// <remarks>
/// Per-IP counts live in a <see cref="ConcurrentDictionary{TKey, TValue}"/> whose entries are removed when they drop
/// to zero, so the map holds only addresses with open connections (a scan of the whole IPv4 space leaves nothing
/// behind). Entries change by compare-and-swap: an increment never resurrects an entry being removed, because removal
/// only succeeds while the value is still 1 (<c>TryRemove(KeyValuePair)</c>). IPv6 addresses count per /64: one
/// subscriber usually gets a whole /64, and counting single addresses would let one host open 2^64 times the cap.
/// </remarks>
public sealed class ConnectionAdmission
{
    private static readonly IPAddress Unknown = IPAddress.None;

    private readonly LimitsOptions _options;
    private readonly ConcurrentDictionary<IPAddress, int> _perIp = new();
    private int _total;
    private int _addresses; // _perIp.Count takes every lock of the dictionary; this is one read

    public ConnectionAdmission(LimitsOptions options, LimitsMetrics metrics)
    {
        _options = options;
        metrics.ObserveAdmission(() => Count, () => Addresses);
    }

    /// <summary>Connections counted now.</summary>
    public int Count => Volatile.Read(ref _total);

    /// <summary>Addresses (IPv6: /64s) with counted connections.</summary>
    public int Addresses => Volatile.Read(ref _addresses);

    /// <summary>The per-IP key of <paramref name="address"/>: IPv4 (also when mapped into IPv6), or an IPv6 /64.</summary>
    public static IPAddress KeyOf(IPAddress? address)
    {
        if (address is null)
        {
            return Unknown;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }

    /// <summary>Whether a new connection from <paramref name="key"/> would be refused now (for negotiate, which is not counted).</summary>
    public Refusal? WouldRefuse(IPAddress key)
    {
        if (Count >= _options.MaxConnections)
        {
            return Refusal.GatewayFull;
        }

        return _perIp.TryGetValue(key, out var n) && n >= _options.MaxConnectionsPerIp ? Refusal.PerIp : null;
    }

    /// <summary>Counts a connection from <paramref name="key"/> in, or says why not. Pair with <see cref="Exit"/>.</summary>
    public Refusal? TryEnter(IPAddress key)
    {
        if (Interlocked.Increment(ref _total) > _options.MaxConnections)
        {
            Interlocked.Decrement(ref _total);
            return Refusal.GatewayFull;
        }

        while (true)
        {
            if (_perIp.TryGetValue(key, out var n))
            {
                if (n >= _options.MaxConnectionsPerIp)
                {
                    Interlocked.Decrement(ref _total);
                    return Refusal.PerIp;
                }

                if (_perIp.TryUpdate(key, n + 1, n))
                {
                    return null;
                }
            }
            else if (_perIp.TryAdd(key, 1))
            {
                Interlocked.Increment(ref _addresses);
                return null;
            }
        }
    }

    /// <summary>Counts a connection admitted by <see cref="TryEnter"/> out.</summary>
    public void Exit(IPAddress key)
    {
        while (true)
        {
            if (!_perIp.TryGetValue(key, out var n))
            {
                break; // cannot happen for an admitted key; never loop on it
            }

            if (n <= 1)
            {
                if (_perIp.TryRemove(new KeyValuePair<IPAddress, int>(key, n)))
                {
                    Interlocked.Decrement(ref _addresses);
                    break;
                }
            }
            else if (_perIp.TryUpdate(key, n - 1, n))
            {
                break;
            }
        }

        Interlocked.Decrement(ref _total);
    }

    /// <summary>Why a connection was refused.</summary>
    public enum Refusal
    {
        /// <summary><see cref="LimitsOptions.MaxConnections"/> reached: HTTP 503.</summary>
        GatewayFull,

        /// <summary><see cref="LimitsOptions.MaxConnectionsPerIp"/> reached: HTTP 429.</summary>
        PerIp,
    }
}

using System.Globalization;
using System.Text;

namespace LiveIm.Redis;

/// <summary>
/// One command argument. Every kind is sent as a RESP bulk string (the only type a command may carry):
/// text as UTF-8, integers and doubles as invariant decimal text, bytes as they are.
/// </summary>
public readonly struct RedisArg
{
    private readonly ArgKind _kind;
    private readonly string? _text;
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly long _number;

    private RedisArg(ArgKind kind, string? text, ReadOnlyMemory<byte> bytes, long number)
    {
        _kind = kind;
        _text = text;
        _bytes = bytes;
        _number = number;
    }

    private enum ArgKind : byte
    {
        Empty,
        Text,
        Bytes,
        Integer,
        Double,
    }

    /// <summary>UTF-8 text; a null string is sent as the empty string.</summary>
    public static implicit operator RedisArg(string? value) => new(ArgKind.Text, value ?? string.Empty, default, 0);

    /// <summary>A signed integer in decimal.</summary>
    public static implicit operator RedisArg(long value) => new(ArgKind.Integer, null, default, value);

    /// <summary>A signed integer in decimal.</summary>
    public static implicit operator RedisArg(int value) => new(ArgKind.Integer, null, default, value);

    /// <summary>
    /// A double in shortest round-trip form; infinities as <c>+inf</c> / <c>-inf</c>, which is how
    /// Redis spells unbounded scores. NaN is rejected here, before it can reach the wire.
    /// </summary>
    public static implicit operator RedisArg(double value)
    {
        if (double.IsNaN(value))
        {
            throw new ArgumentException("NaN cannot be sent to Redis.", nameof(value));
        }

        return new RedisArg(ArgKind.Double, null, default, BitConverter.DoubleToInt64Bits(value));
    }

    /// <summary>Raw bytes (binary safe); the array is not copied, so do not change it until the command completes.</summary>
    public static implicit operator RedisArg(byte[]? value) => new(ArgKind.Bytes, null, value, 0);

    /// <summary>Raw bytes (binary safe); not copied, so do not change them until the command completes.</summary>
    public static implicit operator RedisArg(ReadOnlyMemory<byte> value) => new(ArgKind.Bytes, null, value, 0);

    /// <summary>Named alternative to the implicit conversion from <see cref="string"/>.</summary>
    public static RedisArg FromString(string? value) => value;

    /// <summary>Named alternative to the implicit conversion from <see cref="long"/>.</summary>
    public static RedisArg FromInt64(long value) => value;

    /// <summary>Named alternative to the implicit conversion from <see cref="int"/>.</summary>
    public static RedisArg FromInt32(int value) => value;

    /// <summary>Named alternative to the implicit conversion from <see cref="double"/>.</summary>
    public static RedisArg FromDouble(double value) => value;

    /// <summary>Named alternative to the implicit conversion from <see cref="byte"/> arrays.</summary>
    public static RedisArg FromByteArray(byte[]? value) => value;

    /// <summary>Named alternative to the implicit conversion from <see cref="ReadOnlyMemory{T}"/>.</summary>
    public static RedisArg FromReadOnlyMemory(ReadOnlyMemory<byte> value) => value;

    /// <summary>Number of bytes the argument occupies as bulk string payload.</summary>
    internal int GetByteCount()
    {
        Span<byte> scratch = stackalloc byte[32];
        return _kind switch
        {
            ArgKind.Text => Encoding.UTF8.GetByteCount(_text!),
            ArgKind.Bytes => _bytes.Length,
            ArgKind.Integer or ArgKind.Double => FormatNumber(scratch),
            _ => 0,
        };
    }

    /// <summary>Writes the payload into <paramref name="destination"/>, which holds at least <see cref="GetByteCount"/> bytes.</summary>
    internal int CopyTo(Span<byte> destination) => _kind switch
    {
        ArgKind.Text => Encoding.UTF8.GetBytes(_text!, destination),
        ArgKind.Bytes => CopyBytes(_bytes.Span, destination),
        ArgKind.Integer or ArgKind.Double => FormatNumber(destination),
        _ => 0,
    };

    /// <summary>True (and the bytes) when the payload already exists as bytes, so large values can be copied in chunks.</summary>
    internal bool TryGetBytes(out ReadOnlyMemory<byte> bytes)
    {
        bytes = _bytes;
        return _kind == ArgKind.Bytes;
    }

    /// <summary>The argument as text, for logs and exception messages.</summary>
    public override string ToString() => _kind switch
    {
        ArgKind.Text => _text!,
        ArgKind.Bytes => Encoding.UTF8.GetString(_bytes.Span),
        ArgKind.Integer => _number.ToString(CultureInfo.InvariantCulture),
        ArgKind.Double => Encoding.UTF8.GetString(FormatToArray()),
        _ => string.Empty,
    };

    private static int CopyBytes(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        source.CopyTo(destination);
        return source.Length;
    }

    private byte[] FormatToArray()
    {
        Span<byte> scratch = stackalloc byte[32];
        return scratch[..FormatNumber(scratch)].ToArray();
    }

    // 32 bytes fit any long (20) and any "R" double (at most 24, e.g. "-1.7976931348623157E+308").
    private int FormatNumber(Span<byte> destination)
    {
        if (_kind == ArgKind.Integer)
        {
            _number.TryFormat(destination, out var written, default, CultureInfo.InvariantCulture);
            return written;
        }

        var value = BitConverter.Int64BitsToDouble(_number);
        if (double.IsPositiveInfinity(value))
        {
            Protocol.RespLiterals.PositiveInfinity.CopyTo(destination);
            return Protocol.RespLiterals.PositiveInfinity.Length;
        }

        if (double.IsNegativeInfinity(value))
        {
            Protocol.RespLiterals.NegativeInfinity.CopyTo(destination);
            return Protocol.RespLiterals.NegativeInfinity.Length;
        }

        value.TryFormat(destination, out var length, "R", CultureInfo.InvariantCulture);
        return length;
    }
}

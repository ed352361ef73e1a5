using System.Globalization;
using System.Text;
using LiveIm.Redis.Protocol;

namespace LiveIm.Redis;

/// <summary>
/// One RESP2 reply. The payload is copied out of the socket buffer, so a value stays valid after
/// the connection moves on. <c>default(RedisValue)</c> is <see cref="RedisValueType.Null"/>.
/// </summary>
public readonly struct RedisValue
{
    // Stored as type + 1 so that default(RedisValue) reads as Null rather than as an empty simple string.
    private readonly byte _typePlusOne;
    private readonly long _integer;

    // string (simple string, error), byte[] (bulk string) or RedisValue[] (array).
    private readonly object? _payload;

    private RedisValue(RedisValueType type, object? payload, long integer)
    {
        _typePlusOne = (byte)(type + 1);
        _payload = payload;
        _integer = integer;
    }

    /// <summary>The null reply (<c>$-1</c> / <c>*-1</c>).</summary>
    public static RedisValue Null => default;

    /// <summary>The RESP2 type of this reply.</summary>
    public RedisValueType Type => _typePlusOne == 0 ? RedisValueType.Null : (RedisValueType)(_typePlusOne - 1);

    /// <summary>True for <c>$-1</c> and <c>*-1</c> (a missing key, an NX that did not set, ...).</summary>
    public bool IsNull => Type == RedisValueType.Null;

    /// <summary>A simple string reply (<c>+text</c>).</summary>
    public static RedisValue FromSimpleString(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new RedisValue(RedisValueType.SimpleString, text, 0);
    }

    /// <summary>An error reply (<c>-message</c>), as found nested in arrays.</summary>
    public static RedisValue FromError(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new RedisValue(RedisValueType.Error, message, 0);
    }

    /// <summary>An integer reply (<c>:n</c>).</summary>
    public static RedisValue FromInteger(long value) => new(RedisValueType.Integer, null, value);

    /// <summary>A bulk string reply holding <paramref name="bytes"/> (not copied).</summary>
    public static RedisValue FromBulkString(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return new RedisValue(RedisValueType.BulkString, bytes, 0);
    }

    /// <summary>A bulk string reply holding the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static RedisValue FromBulkString(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new RedisValue(RedisValueType.BulkString, Encoding.UTF8.GetBytes(text), 0);
    }

    /// <summary>An array reply holding <paramref name="items"/> (not copied).</summary>
    public static RedisValue FromArray(RedisValue[] items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return new RedisValue(RedisValueType.Array, items, 0);
    }

    /// <summary>The integer; bulk and simple strings holding a decimal integer are parsed. Throws for null.</summary>
    public long AsInt64() => AsNullableInt64()
        ?? throw new InvalidCastException("The reply is null, not an integer.");

    /// <summary>The integer, or null for a null reply (INCR-style and GET-of-a-counter replies alike).</summary>
    public long? AsNullableInt64()
    {
        switch (Type)
        {
            case RedisValueType.Null:
                return null;
            case RedisValueType.Integer:
                return _integer;
            case RedisValueType.BulkString:
                if (long.TryParse((byte[])_payload!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var fromBulk))
                {
                    return fromBulk;
                }

                break;
            case RedisValueType.SimpleString:
                if (long.TryParse((string)_payload!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var fromSimple))
                {
                    return fromSimple;
                }

                break;
        }

        throw new InvalidCastException($"The reply {ToString()} is not an integer.");
    }

    /// <summary>
    /// The number in a bulk or simple string (Redis writes scores as text, with <c>inf</c> and <c>-inf</c>),
    /// or an integer reply widened. Throws for null.
    /// </summary>
    public double AsDouble()
    {
        ReadOnlySpan<byte> text;
        switch (Type)
        {
            case RedisValueType.Integer:
                return _integer;
            case RedisValueType.BulkString:
                text = (byte[])_payload!;
                break;
            case RedisValueType.SimpleString:
                text = Encoding.UTF8.GetBytes((string)_payload!);
                break;
            default:
                throw new InvalidCastException($"The reply {ToString()} is not a number.");
        }

        if (text.SequenceEqual(RespLiterals.Infinity) || text.SequenceEqual(RespLiterals.PositiveInfinity))
        {
            return double.PositiveInfinity;
        }

        if (text.SequenceEqual(RespLiterals.NegativeInfinity))
        {
            return double.NegativeInfinity;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        throw new InvalidCastException($"The reply {ToString()} is not a number.");
    }

    /// <summary>
    /// Text of a string, error or integer reply (bulk strings decoded as UTF-8); null for a null reply.
    /// Throws for an array.
    /// </summary>
    public string? AsString() => Type switch
    {
        RedisValueType.Null => null,
        RedisValueType.SimpleString or RedisValueType.Error => (string)_payload!,
        RedisValueType.BulkString => Encoding.UTF8.GetString((byte[])_payload!),
        RedisValueType.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        _ => throw new InvalidCastException("An array reply has no single string value; use AsArray()."),
    };

    /// <summary>The bytes of a bulk string (the same array on every call); other scalars as UTF-8; null for a null reply.</summary>
    public byte[]? AsBytes() => Type switch
    {
        RedisValueType.Null => null,
        RedisValueType.BulkString => (byte[])_payload!,
        RedisValueType.Array => throw new InvalidCastException("An array reply has no single byte value; use AsArray()."),
        _ => Encoding.UTF8.GetBytes(AsString()!),
    };

    /// <summary>Like <see cref="AsBytes"/>, but empty for a null reply.</summary>
    public ReadOnlyMemory<byte> AsMemory() => AsBytes() ?? ReadOnlyMemory<byte>.Empty;

    /// <summary>The items of an array reply; empty for a null reply (<c>*-1</c>). Throws for scalars.</summary>
    public RedisValue[] AsArray() => Type switch
    {
        RedisValueType.Array => (RedisValue[])_payload!,
        RedisValueType.Null => [],
        _ => throw new InvalidCastException($"The reply {ToString()} is not an array."),
    };

    /// <summary>A readable rendering for logs and test failures: text, <c>(nil)</c>, <c>[a, b]</c>, <c>(error) ...</c>.</summary>
    public override string ToString() => Type switch
    {
        RedisValueType.Null => "(nil)",
        RedisValueType.Error => "(error) " + (string)_payload!,
        RedisValueType.Array => "[" + string.Join(", ", (RedisValue[])_payload!) + "]",
        _ => AsString()!,
    };
}

namespace LiveIm.Redis;

/// <summary>The RESP2 type of a reply.</summary>
public enum RedisValueType
{
    /// <summary><c>+OK</c>: short, non-binary text.</summary>
    SimpleString,

    /// <summary><c>-ERR ...</c>: only seen nested inside arrays; a top-level error becomes a <see cref="RedisServerException"/>.</summary>
    Error,

    /// <summary><c>:42</c>: a signed 64-bit integer.</summary>
    Integer,

    /// <summary><c>$5 hello</c>: binary-safe bytes.</summary>
    BulkString,

    /// <summary><c>*2 ...</c>: an ordered list of replies, possibly nested.</summary>
    Array,

    /// <summary>The null bulk string <c>$-1</c> or the null array <c>*-1</c>.</summary>
    Null,
}

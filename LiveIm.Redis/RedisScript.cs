using System.Security.Cryptography;
using System.Text;

namespace LiveIm.Redis;

/// <summary>
/// A Lua script with its SHA1 digest, computed once, so <see cref="IRedisClient.EvalAsync"/> can send
/// the 40-byte digest (EVALSHA) instead of the source on every call.
/// </summary>
public sealed class RedisScript
{
    /// <summary>Wraps <paramref name="source"/> and computes its digest.</summary>
    public RedisScript(string source)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        Source = source;

        // SHA1 is not used for security here: it is the name Redis gives a cached script (EVALSHA, SCRIPT LOAD).
#pragma warning disable CA5350
        Sha1 = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(source)));
#pragma warning restore CA5350
    }

    /// <summary>The Lua source, sent with EVAL when the server does not know the digest.</summary>
    public string Source { get; }

    /// <summary>Lower-case hex SHA1 of the UTF-8 source, as SCRIPT LOAD returns it.</summary>
    public string Sha1 { get; }

    /// <inheritdoc />
    public override string ToString() => Sha1;
}

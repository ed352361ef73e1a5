namespace LiveIm.Redis.Protocol;

/// <summary>
/// Command names and keywords the client itself sends. They are strings because the public
/// <see cref="IRedisClient.ExecuteAsync(string, RedisArg[])"/> takes the command name as text.
/// </summary>
internal static class RespCommandNames
{
    public const string Auth = "AUTH";
    public const string Select = "SELECT";
    public const string Client = "CLIENT";
    public const string SetName = "SETNAME";
    public const string Ping = "PING";
    public const string Eval = "EVAL";
    public const string EvalSha = "EVALSHA";

    /// <summary>
    /// Commands that change what the server sends: after SUBSCRIBE or MONITOR it pushes messages
    /// nobody asked for, and HELLO can switch the connection to RESP3. Either breaks the rule that
    /// the n-th reply answers the n-th command, so the shared connection refuses them.
    /// </summary>
    public static readonly System.Collections.Frozen.FrozenSet<string> ConnectionChanging =
        System.Collections.Frozen.FrozenSet.Create(
            StringComparer.OrdinalIgnoreCase, "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "MONITOR", "HELLO", "SYNC", "PSYNC");

    /// <summary>Error prefix of EVALSHA when the server's script cache lacks the digest.</summary>
    public const string NoScriptPrefix = "NOSCRIPT";
}

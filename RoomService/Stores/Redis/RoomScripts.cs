using LiveIm.Hosting.Redis;

namespace LiveIm.RoomService.Stores.Redis;

/// <summary>
/// The Lua scripts of the room store, read once from the embedded <c>Scripts/*.lua</c> files and run by their SHA1
/// (<see cref="RedisConnection.ScriptAsync"/>). The shared pieces (<c>Scripts/lib/*.lua</c>: GCRA, the stream clock
/// stamp, the reliable append) are prepended to the scripts that use them. Every key a script touches is in its KEYS,
/// and all of them share one hash slot (the room's, or the user's for the rate).
/// </summary>
internal static class RoomScripts
{
    public static readonly RedisScript AppendReliable = Read("lib.gcra.lua", "lib.clock.lua", "lib.append.lua", "append_reliable.lua");

    public static readonly RedisScript ClockReport = Read("clock_report.lua");

    public static readonly RedisScript MarkPublished = Read("mark_published.lua");

    public static readonly RedisScript ChatAdmit = Read("lib.clock.lua", "chat_admit.lua");

    public static readonly RedisScript RateTake = Read("lib.gcra.lua", "rate_take.lua");

    public static readonly RedisScript LikeId = Read("lib.clock.lua", "like_id.lua");

    // lib/append.lua stamps with lib/clock.lua: always prepended together, clock first.
    public static readonly RedisScript Moderate = Read("lib.clock.lua", "lib.append.lua", "moderate.lua");

    private static RedisScript Read(params string[] files) =>
        RedisScript.FromResources(typeof(RoomScripts).Assembly, files.Select(f => "Scripts." + f).ToArray());
}

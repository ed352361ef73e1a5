using System.Reflection;
using LiveIm.Redis;

namespace LiveIm.RoomService.Stores.Redis;

/// <summary>
/// The Lua scripts of the room store, loaded from the embedded <c>Scripts/*.lua</c> files. Redis scripts cannot
/// include each other, so the shared pieces (<c>Scripts/lib/*.lua</c>: GCRA, the stream clock stamp, the reliable append) are prepended to
/// the scripts that use them: one definition of each, and each script still runs as one atomic call.
/// </summary>
internal static class RoomScripts
{
    private static readonly string Gcra = Read("lib.gcra.lua");

    private static readonly string Clock = Read("lib.clock.lua");

    // lib/append.lua stamps with lib/clock.lua: always prepended together, clock first.
    private static readonly string Append = Clock + Read("lib.append.lua");

    public static readonly RedisScript AppendReliable = new(Gcra + Append + Read("append_reliable.lua"));

    public static readonly RedisScript ClockReport = new(Read("clock_report.lua"));

    public static readonly RedisScript MarkPublished = new(Read("mark_published.lua"));

    public static readonly RedisScript ChatAdmit = new(Clock + Read("chat_admit.lua"));

    public static readonly RedisScript RateTake = new(Gcra + Read("rate_take.lua"));

    public static readonly RedisScript LikeId = new(Clock + Read("like_id.lua"));

    public static readonly RedisScript Moderate = new(Append + Read("moderate.lua"));

    private static string Read(string name)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith("Scripts." + name, StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd() + "\n";
    }
}

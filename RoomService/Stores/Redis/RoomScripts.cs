using System.Reflection;
using LiveIm.Redis;

namespace LiveIm.RoomService.Stores.Redis;

/// <summary>The Lua scripts of the room store, loaded from the embedded <c>Scripts/*.lua</c> files.</summary>
internal static class RoomScripts
{
    public static readonly RedisScript AppendReliable = Load("append_reliable.lua");

    public static readonly RedisScript OnlineElsewhere = Load("online_elsewhere.lua");

    public static readonly RedisScript MarkPublished = Load("mark_published.lua");

    public static readonly RedisScript ChatAdmit = Load("chat_admit.lua");

    private static RedisScript Load(string name)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith(name, StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return new RedisScript(reader.ReadToEnd());
    }
}

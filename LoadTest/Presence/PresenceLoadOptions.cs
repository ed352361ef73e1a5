using System.Globalization;
using LiveIm.LoadTest.Fanout;

namespace LiveIm.LoadTest.Presence;

/// <summary>Options of <c>LoadTest presence</c>.</summary>
public sealed record PresenceLoadOptions(int Rooms, int Gateways, int ViewersPerRoom, int Seconds, int IntervalSeconds)
{
    /// <summary>Usage text.</summary>
    public const string Usage = """
        usage: dotnet run -c Release --project LoadTest -- presence [options]
          Simulates the presence traffic of N gateways against a real redis-server it starts: every gateway reports
          each room's local count every interval with the real presence script (and marks its rooms live), and one
          RoomService runs the online broadcast pass. Reads Redis's own INFO commandstats before and after.
          --rooms <n>              rooms (default 100)
          --gateways <n>           gateways, each with members of every room (default 10)
          --viewers-per-room <n>   viewers per room, spread over the gateways (default 10000)
          --seconds <n>            measured seconds, after one interval of warm-up (default 10)
          --interval <s>           Presence:IntervalSeconds (default 2)
        """;

    /// <summary>Parses the arguments after <c>presence</c>.</summary>
    public static PresenceLoadOptions Parse(string[] args)
    {
        int rooms = 100, gateways = 10, viewers = 10_000, seconds = 10, interval = 2;
        for (var i = 0; i < args.Length; i++)
        {
            int Next() => i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0
                ? v
                : throw new OptionsException($"{args[i]} needs a whole number > 0");
            switch (args[i])
            {
                case "--rooms": rooms = Next(); break;
                case "--gateways": gateways = Next(); break;
                case "--viewers-per-room": viewers = Next(); break;
                case "--seconds": seconds = Next(); break;
                case "--interval": interval = Next(); break;
                default: throw new OptionsException($"unknown option '{args[i]}'");
            }
        }

        return new PresenceLoadOptions(rooms, gateways, viewers, seconds, interval);
    }
}

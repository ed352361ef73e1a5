// LoadTest: the spike load runner. The fan-out benchmark (LiveIm vs stock SignalR vs raw WebSocket) arrives with
// the fan-out engine issue; this shell only proves the client library links and explains itself.
using LiveIm.Client;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("usage: dotnet run -c Release --project LoadTest -- <scenario> [options]");
    Console.WriteLine("scenarios: (none yet) — 'fanout' comes with the fan-out engine; see docs/performance.md");
    Console.WriteLine($"client: {typeof(RoomClient).Assembly.GetName().Name} {typeof(RoomClient).Assembly.GetName().Version}");
    return 0;
}

Console.Error.WriteLine($"unknown scenario '{args[0]}'; run with --help");
return 2;

// LoadTest: the spike load runner. `presence` measures presence's Redis cost; `fanout` measures LiveIm against a stock SignalR hub and a raw WebSocket ceiling
// (docs/loadtest.md); `service` measures calls through gateway, NATS, RoomService and Redis, for one checkout or two side by side;
// `serve-signalr` and `serve-raw` are the fan-out's two other servers, started by `fanout` as child processes.
using LiveIm.LoadTest.Fanout;
using LiveIm.LoadTest.Presence;
using LiveIm.LoadTest.Servers;
using LiveIm.LoadTest.Service;

return args.FirstOrDefault() switch
{
    FanoutCommand.Name => await FanoutCommand.RunAsync(args[1..]),
    PresenceCommand.Name => await PresenceCommand.RunAsync(args[1..]),
    ServiceCommand.Name => await ServiceCommand.RunAsync(args[1..]),
    ServerCommand.SignalR or ServerCommand.Raw => await ServerCommand.RunAsync(args),
    null or "-h" or "--help" => Usage(0),
    var other => Usage(2, $"unknown scenario '{other}'"),
};

static int Usage(int code, string? error = null)
{
    if (error is not null)
    {
        Console.Error.WriteLine(error);
    }

    Console.WriteLine("usage: dotnet run -c Release --project LoadTest -- <scenario> [options]");
    Console.WriteLine("scenarios:");
    Console.WriteLine("  fanout   one room, three targets side by side: LiveIm, stock SignalR, raw WebSockets (fanout --help)");
    Console.WriteLine("  presence what presence reports and online broadcasts cost Redis (presence --help)");
    Console.WriteLine("  service  chat and gift calls/s through gateway, NATS, RoomService and Redis; one checkout or two (service --help)");
    return code;
}

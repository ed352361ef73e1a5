// LoadTest: the spike load runner. `spike` runs the spike scenarios (go-live, gift bursts, kills; docs/loadtest.md); `presence` measures presence's Redis cost; `fanout` measures LiveIm against a stock SignalR hub and a raw WebSocket ceiling
// (docs/loadtest.md); `service` measures calls through gateway, NATS, RoomService and Redis, for one checkout or two side by side;
// `scale` proves the capacity model's shape; `nats` measures what one nats-server routes per core; `model` prints the capacity model;
// `serve-signalr` and `serve-raw` are the fan-out's two other servers, started by `fanout` as child processes.
using LiveIm.LoadTest.Bus;
using LiveIm.LoadTest.Fanout;
using LiveIm.LoadTest.Model;
using LiveIm.LoadTest.Presence;
using LiveIm.LoadTest.Scaling;
using LiveIm.LoadTest.Servers;
using LiveIm.LoadTest.Service;
using LiveIm.LoadTest.Spike;

return args.FirstOrDefault() switch
{
    FanoutCommand.Name => await FanoutCommand.RunAsync(args[1..]),
    SpikeCommand.Name => await SpikeCommand.RunAsync(args[1..]),
    PresenceCommand.Name => await PresenceCommand.RunAsync(args[1..]),
    ServiceCommand.Name => await ServiceCommand.RunAsync(args[1..]),
    ScaleCommand.Name => await ScaleCommand.RunAsync(args[1..]),
    NatsBenchCommand.Name => await NatsBenchCommand.RunAsync(args[1..]),
    ModelCommand.Name => ModelCommand.Run(args[1..]),
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
    Console.WriteLine("  spike    spike scenarios: go-live, gift-burst, gateway-kill, drain, many-rooms, nats-node-kill (spike --help)");
    Console.WriteLine("  presence what presence reports and online broadcasts cost Redis (presence --help)");
    Console.WriteLine("  service  chat and gift calls/s through gateway, NATS, RoomService and Redis; one checkout or two (service --help)");
    Console.WriteLine("  scale    one room over 1..N gateways: bus copies, RoomService and Redis cost per event (scale --help)");
    Console.WriteLine("  nats     what one nats-server routes per core with LiveIm's bus traffic, for the model (nats --help)");
    Console.WriteLine("  model    the capacity model from measured figures (model --help; docs/capacity.md)");
    return code;
}

namespace LiveIm.LoadTest.Fanout;

/// <summary>CPU one target process used during a step's measured window.</summary>
/// <param name="Name">gateway, roomservice, nats-server, redis-server, signalr-server, raw-server.</param>
/// <param name="Seconds">User + system CPU seconds.</param>
/// <param name="PerMillionDeliveries">Seconds per million deliveries (null without deliveries).</param>
public sealed record ProcessCpu(string Name, double Seconds, double? PerMillionDeliveries);

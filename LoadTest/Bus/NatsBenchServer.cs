namespace LiveIm.LoadTest.Bus;

/// <summary>The nats-server a run measures: where clients connect, its process (for CPU) and its <c>/varz</c>.</summary>
/// <param name="Url">Client URL, <c>nats://127.0.0.1:port</c>.</param>
/// <param name="Pid">nats-server's process id.</param>
/// <param name="VarzAsync">GETs <c>/varz</c> from its monitoring port.</param>
internal sealed record NatsBenchServer(string Url, int Pid, Func<Task<string>> VarzAsync);

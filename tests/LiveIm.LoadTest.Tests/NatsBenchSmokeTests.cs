using LiveIm.LoadTest.Bus;
using LiveIm.Testing;
using Xunit;

namespace LiveIm.LoadTest.Tests;

/// <summary><c>LoadTest nats</c> at a tiny size against a real nats-server: two steps of two seconds.</summary>
public sealed class NatsBenchSmokeTests
{
    [Fact]
    public async Task The_server_delivers_exactly_what_the_subscribers_count_and_the_cost_per_message_is_measured()
    {
        await using var nats = await NatsServer.StartNewAsync();
        var server = new NatsBenchServer(nats.Url, nats.ProcessId!.Value, () => nats.MonitorAsync("varz"));
        var options = NatsBenchOptions.Parse(["--rooms", "20", "--gateways", "4", "--roomservices", "2", "--steps", "publish:2,chat:3", "--rates", "10000", "--in-flight", "32", "--warmup", "0", "--seconds", "2"]);

        var results = new List<NatsBenchResult>();
        foreach (var step in options.Steps)
        {
            results.Add(await NatsBenchRunner.RunAsync(server, step, options, _ => { }, CancellationToken.None));
        }

        foreach (var r in results)
        {
            Assert.True(r.DeliveryExact, $"{r.Step.Name}: server in {r.StepIn} / clients {r.ClientsIn}, out {r.StepOut} / received {r.ClientsOut}, slow {r.SlowConsumers}, dropped {r.Dropped}, failed {r.RequestsFailed} ({r.LastError})");
            Assert.Equal(r.StepOut, r.ClientsOut);
            Assert.True(r.StepOut > 10_000, $"{r.Step.Name}: only {r.StepOut} messages out");
            Assert.InRange(r.OutPerIn, r.Step.ExpectedOutPerIn * 0.95, r.Step.ExpectedOutPerIn * 1.05);
            Assert.True(double.IsFinite(r.MessagesPerCoreSecond) && r.MessagesPerCoreSecond > 0, $"{r.Step.Name}: {r.MessagesPerCoreSecond} msgs per core-second at {r.NatsCores} cores");
            Assert.InRange(r.NatsCores, 0.001, Environment.ProcessorCount);
        }

        // Request, reply and room event per send: the chat step's sends ≈ its events, and it feeds the model.
        var chat = results[1];
        Assert.InRange(chat.SendsPerSecond, chat.EventsPerSecond * 0.95, chat.EventsPerSecond * 1.05);
        Assert.Same(chat, NatsBenchReport.ModelFigure(results));
        Assert.StartsWith("nats_messages_per_core_second=", NatsBenchReport.LastLine(results), StringComparison.Ordinal);
        Assert.EndsWith("step=chat:3@10000 delivery_exact=yes", NatsBenchReport.LastLine(results), StringComparison.Ordinal);
    }
}

using LiveIm.LoadTest.Scaling;
using Xunit;

namespace LiveIm.LoadTest.Tests;

/// <summary><c>LoadTest scale</c> at the smallest size: real processes, two gateways, four receivers.</summary>
public sealed class ScaleSmokeTests
{
    [Fact]
    public async Task Each_room_event_crosses_the_bus_once_per_gateway_and_reaches_every_receiver()
    {
        var options = ScaleOptions.Parse(["--gateways", "2", "--receivers", "4", "--seconds", "2", "--chat-rate", "5", "--gift-rate", "2"]);
        var result = await ScaleRunner.RunAsync(2, options, _ => { }, CancellationToken.None);

        Assert.True(result.EventsPublished >= 10, $"only {result.EventsPublished} events published");
        Assert.True(result.BusCopiesExact, $"{result.BusReceived} copies for {result.EventsPublished} events on 2 gateways");
        Assert.Equal(0, result.SendsFailed);
        Assert.Equal(1.0, result.Delivered, 3);

        // Per event: the request, the reply and the publish into NATS; out the request, the reply and 2 copies.
        Assert.Equal(3.0, result.NatsMessagesInPerEvent, 1);
        Assert.Equal(4.0, result.NatsMessagesOutPerEvent, 1);
        Assert.InRange(result.WireBytesPerDelivery, 100, 2_000);
        Assert.StartsWith("bus_copies_exact=yes ", ScaleReport.LastLine([result]), StringComparison.Ordinal);
    }
}

using LiveIm.LoadTest.Bus;
using LiveIm.LoadTest.Fanout;
using Xunit;

namespace LiveIm.LoadTest.Tests;

public sealed class NatsBenchOptionsTests
{
    [Fact]
    public void Defaults_run_three_fanouts_of_room_events_and_two_of_chat_sends_as_fast_as_the_subscribers_keep_up()
    {
        var o = NatsBenchOptions.Parse([]);
        Assert.Equal(["publish:1@max", "publish:4@max", "publish:16@max", "chat:1@max", "chat:4@max"], o.Steps.Select(s => s.Name));
        Assert.Equal(1000, o.Rooms);
        Assert.Equal(16, o.Gateways);
        Assert.Equal(300, o.EventBytes);
    }

    [Fact]
    public void Every_step_runs_at_every_rate_the_rates_of_one_step_side_by_side()
    {
        var o = NatsBenchOptions.Parse(["--steps", "publish:2, chat:1", "--rates", "500,max", "--gateways", "4", "--rooms", "40", "--json", "n.json"]);
        Assert.Equal(["publish:2@500", "publish:2@max", "chat:1@500", "chat:1@max"], o.Steps.Select(s => s.Name));
        Assert.Equal(500, o.Steps[0].Rate);
        Assert.Null(o.Steps[1].Rate);
        Assert.Equal("n.json", o.Json);
    }

    [Fact]
    public void A_chat_send_moves_three_messages_in_and_two_plus_g_out()
    {
        Assert.Equal(2.0, new NatsBenchStep(NatsBenchStepKind.Chat, 4, null).ExpectedOutPerIn, 6);
        Assert.Equal(16.0, new NatsBenchStep(NatsBenchStepKind.Publish, 16, null).ExpectedOutPerIn, 6);
    }

    [Theory]
    [InlineData("--steps", "publish:0")]
    [InlineData("--steps", "publish:257")]
    [InlineData("--steps", "fanout:1")]
    [InlineData("--steps", "publish")]
    [InlineData("--steps", "publish:1,publish:1")]
    [InlineData("--steps", "chat:-1")]
    [InlineData("--steps", "chat:1e3")]
    [InlineData("--steps", "chat:1,,publish:1")]
    [InlineData("--steps", ":")]
    [InlineData("--rates", "0")]
    [InlineData("--rates", "-5")]
    [InlineData("--rates", "NaN")]
    [InlineData("--rates", "Infinity")]
    [InlineData("--rates", "1e9")]
    [InlineData("--rates", "10000001")]
    [InlineData("--rates", "max,max")]
    [InlineData("--rates", "MAX")]
    [InlineData("--rooms", "0")]
    [InlineData("--rooms", "100001")]
    [InlineData("--rooms", "99999999999999999999")]
    [InlineData("--gateways", "0")]
    [InlineData("--gateways", "257")]
    [InlineData("--roomservices", "65")]
    [InlineData("--in-flight", "0")]
    [InlineData("--event-bytes", "10")]
    [InlineData("--event-bytes", "100000")]
    [InlineData("--warmup", "61")]
    [InlineData("--warmup", "-1")]
    [InlineData("--seconds", "0")]
    [InlineData("--json", "--out")]
    [InlineData("--out", "")]
    [InlineData("--out", "a\nb")]
    [InlineData("--bogus", "1")]
    public void Bad_values_are_refused_with_the_option_named(string name, string value)
    {
        var ex = Assert.Throws<OptionsException>(() => NatsBenchOptions.Parse([name, value]));
        Assert.Contains(name == "--bogus" ? "unknown option" : name, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fanout_larger_than_the_gateways_is_refused()
    {
        var ex = Assert.Throws<OptionsException>(() => NatsBenchOptions.Parse(["--gateways", "4", "--steps", "publish:8"]));
        Assert.Contains("more than the 4 gateways", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fewer_rooms_than_gateways_are_refused()
    {
        var ex = Assert.Throws<OptionsException>(() => NatsBenchOptions.Parse(["--rooms", "3", "--gateways", "4", "--steps", "chat:1"]));
        Assert.Contains("every gateway holds rooms", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void More_subscriptions_than_one_process_reads_are_refused()
    {
        var ex = Assert.Throws<OptionsException>(() => NatsBenchOptions.Parse(["--rooms", "100000", "--steps", "publish:16"]));
        Assert.Contains("subscriptions", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_option_without_a_value_is_refused()
    {
        Assert.Contains("needs a value", Assert.Throws<OptionsException>(() => NatsBenchOptions.Parse(["--steps"])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_event_size_range_is_that_of_a_chat_event_with_one_to_five_hundred_characters()
    {
        Assert.Equal(NatsBenchPayloads.MinEventBytes, NatsBenchOptions.Parse(["--event-bytes", NatsBenchPayloads.MinEventBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)]).EventBytes);
        Assert.Throws<OptionsException>(() => NatsBenchOptions.Parse(["--event-bytes", (NatsBenchPayloads.MinEventBytes - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)]));
        Assert.Throws<OptionsException>(() => NatsBenchOptions.Parse(["--event-bytes", (NatsBenchPayloads.MaxEventBytes + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)]));
    }
}

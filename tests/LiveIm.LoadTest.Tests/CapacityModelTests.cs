using LiveIm.LoadTest.Fanout;
using LiveIm.LoadTest.Model;
using Xunit;

namespace LiveIm.LoadTest.Tests;

public sealed class CapacityModelTests
{
    private static ModelInputs Measured()
    {
        var inputs = new ModelInputs();
        inputs.Set(ModelInputs.GatewayCpuMicrosPerFrame, 15, "test");
        inputs.Set(ModelInputs.GatewayMemoryKBPerConnection, 40, "test");
        inputs.Set(ModelInputs.GatewayBaseMemoryMB, 100, "test");
        inputs.Set(ModelInputs.RoomServiceCpuMsPerEvent, 0.5, "test");
        inputs.Set(ModelInputs.PresenceCommandsPerCall, 5, "test");
        return inputs;
    }

    [Fact]
    public void A_room_of_a_million_is_spread_over_every_gateway_and_crosses_the_bus_once_per_gateway()
    {
        var e = CapacityModel.Estimate(new ModelWorkload { Viewers = 1_000_000 }, Measured());
        Assert.Equal(72, e.GatewaysByConnections);           // ⌈1,000,000 / 14,000⌉
        Assert.Equal(Math.Max(72, e.GatewaysByCpu!.Value), e.Gateways);
        Assert.Equal(e.Gateways, e.GatewaysPerRoom);          // 1M / 2,500 per gateway > the fleet: on all of them
        var members = 1_000_000.0 / e.Gateways;
        Assert.Equal(Math.Clamp(members * 15 / 500, 50, 500), e.TickMs, 6);
        Assert.Equal(Math.Min(25, (1000 / e.TickMs) + 5), e.FramesPerMemberPerSecond, 6);
        Assert.Equal(members * e.FramesPerMemberPerSecond * 15 / 1e6, e.CoresPerGateway!.Value, 6);
        Assert.True(e.CoresPerGateway <= 2 * 0.7);
        Assert.Equal(25_000_000, e.DeliveriesPerSecond);
        Assert.Equal(75, e.NatsMessagesInPerSecond);          // 2 × 25 sends + 25 events
        Assert.Equal(50 + (25 * e.Gateways), e.NatsMessagesOutPerSecond);
        Assert.Equal(2, e.RoomServices);
    }

    [Fact]
    public void One_gateway_less_than_the_model_says_would_be_over_its_cores()
    {
        var w = new ModelWorkload { Viewers = 1_000_000 };
        var e = CapacityModel.Estimate(w, Measured());
        var g = e.Gateways - 1;
        var members = 1_000_000.0 / g;
        var frames = CapacityModel.FramesPerMemberPerSecond(w, 25, CapacityModel.TickMs(w, members, 15));
        Assert.True(members * frames * 15 / 1e6 > 2 * 0.7);
    }

    [Fact]
    public void Small_busy_rooms_are_sized_by_cpu_not_connections()
    {
        var e = CapacityModel.Estimate(new ModelWorkload { Viewers = 1_000_000, Rooms = 10_000 }, Measured());
        Assert.Equal(1, e.GatewaysPerRoom);
        Assert.Equal(50, e.TickMs);
        Assert.Equal(25, e.FramesPerMemberPerSecond);        // min(25 events/s, 1000 / 50 ms + 5 gifts/s)
        Assert.True(e.GatewaysByCpu > e.GatewaysByConnections);
        Assert.True(e.CoresPerGateway <= 2 * 0.7);
        Assert.Equal(e.GatewaysByCpu, e.Gateways);
    }

    [Fact]
    public void What_depends_on_an_unmeasured_figure_is_left_open_not_guessed()
    {
        var e = CapacityModel.Estimate(new ModelWorkload(), Measured());
        Assert.Null(e.EgressGbps);
        Assert.Null(e.NatsNodes);
        Assert.Null(e.RedisShards);
        Assert.Null(e.RedisCommandsPerSecond);
        var report = ModelReport.Render([e], Measured());
        Assert.Contains("**needs measurement**", report, StringComparison.Ordinal);
        Assert.Contains("scale --json", report, StringComparison.Ordinal);

        var inputs = Measured();
        inputs.Set(ModelInputs.WireBytesPerDelivery, 300, "test");
        inputs.Set(ModelInputs.RedisCommandsPerEvent, 6, "test");
        inputs.Set(ModelInputs.RedisCpuMicrosPerCommand, 4, "test");
        inputs.Set(ModelInputs.NatsMessagesPerSecondPerCore, 1_000_000, "test");
        var full = CapacityModel.Estimate(new ModelWorkload(), inputs);
        Assert.Equal(25_000_000.0 * 300 * 8 / 1e9, full.EgressGbps!.Value, 6);
        Assert.Equal(3, full.NatsNodes);
        Assert.Equal(1, full.RedisShards);
    }

    [Fact]
    public void The_committed_inputs_name_a_source_and_a_measured_value_for_every_figure()
    {
        var inputs = ModelInputs.Load(Path.Combine(Targets.RepoLayout.Root, ModelCommand.DefaultInputs));
        foreach (var key in ModelInputs.Keys.Keys)
        {
            var figure = inputs.Get(key);
            Assert.NotNull(figure);
            Assert.False(string.IsNullOrWhiteSpace(figure.Source));
        }

        // Every figure has a value from a run of the command that measures it.
        Assert.All(ModelInputs.Keys.Keys, key => Assert.NotNull(inputs.Value(key)));
        Assert.StartsWith("LoadTest nats of ", inputs.Get(ModelInputs.NatsMessagesPerSecondPerCore)!.Source, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"figures\": []}")]
    [InlineData("{\"figures\": {\"made.up\": {\"value\": 1, \"source\": \"x\"}}}")]
    [InlineData("{\"figures\": {\"wire.bytesPerDelivery\": {\"value\": -1, \"source\": \"x\"}}}")]
    [InlineData("{\"figures\": {\"wire.bytesPerDelivery\": {\"value\": \"300\", \"source\": \"x\"}}}")]
    [InlineData("{\"figures\": {\"wire.bytesPerDelivery\": {\"value\": 300}}}")]
    [InlineData("{\"figures\": {\"wire.bytesPerDelivery\": 300}}")]
    [InlineData("{\"figures\": {\"wire.bytesPerDelivery\": {\"value\": 1e400, \"source\": \"x\"}}}")]
    [InlineData("{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{}}}}}}}}}}")]
    public void Bad_input_files_are_refused_with_the_file_named(string json)
    {
        var ex = Assert.Throws<OptionsException>(() => ModelInputs.Parse(json, "inputs.json"));
        Assert.Contains("'inputs.json'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inputs_round_trip_through_their_file_form_and_later_files_win()
    {
        var a = Measured();
        a.Set(ModelInputs.WireBytesPerDelivery, null, "not measured");
        var b = ModelInputs.Parse(a.ToJson(), "a");
        Assert.Equal(15, b.Value(ModelInputs.GatewayCpuMicrosPerFrame));
        Assert.Null(b.Value(ModelInputs.WireBytesPerDelivery));

        var later = new ModelInputs();
        later.Set(ModelInputs.WireBytesPerDelivery, 310, "scale");
        later.Set(ModelInputs.GatewayCpuMicrosPerFrame, null, "noise");
        b.Merge(later);
        Assert.Equal(310, b.Value(ModelInputs.WireBytesPerDelivery));
        Assert.Equal(15, b.Value(ModelInputs.GatewayCpuMicrosPerFrame));
    }

    [Theory]
    [InlineData("--viewers", "0")]
    [InlineData("--viewers", "-1")]
    [InlineData("--viewers", "1e99")]
    [InlineData("--rooms", "NaN")]
    [InlineData("--utilization", "1.5")]
    [InlineData("--utilization", "0")]
    [InlineData("--gateway-cores", "")]
    [InlineData("--set", "wire.bytesPerDelivery")]
    [InlineData("--set", "made.up=3")]
    [InlineData("--set", "wire.bytesPerDelivery=-3")]
    [InlineData("--bogus", "1")]
    public void Bad_model_options_are_refused(string name, string value)
    {
        Assert.Throws<OptionsException>(() => ModelOptions.Parse([name, value]));
    }

    [Fact]
    public void More_rooms_than_viewers_or_fewer_sends_than_deliveries_are_refused()
    {
        Assert.Throws<OptionsException>(() => ModelOptions.Parse(["--viewers", "10", "--rooms", "11"]));
        Assert.Throws<OptionsException>(() => ModelOptions.Parse(["--chat-per-second", "20", "--chat-sends-per-second", "5"]));
        Assert.Equal(50, ModelOptions.Parse(["--chat-per-second", "50"]).Workload.ChatSendsPerSecond);
    }

    [Fact]
    public void The_scenarios_report_has_the_four_workloads()
    {
        var text = ModelCommand.Render(ModelOptions.Parse(["--scenarios"]), Path.Combine(Targets.RepoLayout.Root, ModelCommand.DefaultInputs));
        Assert.Contains("1 room(s) × 100,000", text, StringComparison.Ordinal);
        Assert.Contains("1 room(s) × 10,000,000", text, StringComparison.Ordinal);
        Assert.Contains("10,000 room(s) × 100 ", text, StringComparison.Ordinal);
        Assert.Contains("| gateways by connections | 8 | 72 | 715 | 72 |", text, StringComparison.Ordinal);
    }
}

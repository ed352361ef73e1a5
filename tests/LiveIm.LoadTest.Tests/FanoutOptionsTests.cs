using LiveIm.LoadTest.Fanout;
using Xunit;

namespace LiveIm.LoadTest.Tests;

public sealed class FanoutOptionsTests
{
    private const long FdLimit = 20_000;

    [Fact]
    public void No_options_give_the_documented_defaults()
    {
        var o = FanoutOptions.Parse([], FdLimit);
        Assert.Equal(10_000, o.Connections);
        Assert.Null(o.ChatRate);
        Assert.Equal(5, o.GiftRate);
        Assert.Equal(100, o.MessageSize);
        Assert.Equal(TimeSpan.FromSeconds(10), o.Duration);
        Assert.Equal(TimeSpan.FromSeconds(3), o.Warmup);
        Assert.Equal([TargetKind.LiveIm, TargetKind.SignalR, TargetKind.Raw], o.Targets);
        Assert.Null(o.TickMs);
        Assert.True(o.Capacity);
        Assert.Equal(4, o.Publishers);
        Assert.Equal(50, o.TracerRatio);
        Assert.Equal(4, o.SourceAddresses);
        Assert.Null(o.Out);
        Assert.Equal(5, o.StartRate);
        Assert.Equal(100, o.SingleRate);
    }

    [Fact]
    public void Every_option_is_read_in_both_spellings()
    {
        var o = FanoutOptions.Parse(
            ["--connections", "2000", "--chat-rate=40", "--gift-rate", "2.5", "--message-size", "64", "--duration", "500ms",
             "--warmup=0", "--targets", "raw, signalr", "--tick-ms", "50", "--capacity", "off", "--max-rate", "800",
             "--publishers", "2", "--tracer-ratio", "10", "--source-addresses", "8", "--out", "r.md", "--join-rate", "500",
             "--join-concurrency", "50", "--bisect-steps", "0", "--drain-timeout", "2m"],
            FdLimit);
        Assert.Equal(2000, o.Connections);
        Assert.Equal(40, o.ChatRate);
        Assert.Equal(2.5, o.GiftRate);
        Assert.Equal(64, o.MessageSize);
        Assert.Equal(TimeSpan.FromMilliseconds(500), o.Duration);
        Assert.Equal(TimeSpan.Zero, o.Warmup);
        Assert.Equal([TargetKind.Raw, TargetKind.SignalR], o.Targets);
        Assert.Equal(50, o.TickMs);
        Assert.False(o.Capacity);
        Assert.Equal(800, o.MaxRate);
        Assert.Equal(2, o.Publishers);
        Assert.Equal(10, o.TracerRatio);
        Assert.Equal(8, o.SourceAddresses);
        Assert.Equal("r.md", o.Out);
        Assert.Equal(500, o.JoinRate);
        Assert.Equal(50, o.JoinConcurrency);
        Assert.Equal(0, o.BisectSteps);
        Assert.Equal(TimeSpan.FromMinutes(2), o.DrainTimeout);
        Assert.Equal(40, o.SingleRate);
    }

    [Fact]
    public void The_start_rate_scales_with_the_audience()
    {
        Assert.Equal(25, FanoutOptions.Parse(["--connections", "2000"], FdLimit).StartRate);
        Assert.Equal(1_000, FanoutOptions.Parse(["--connections", "5"], FdLimit).StartRate);
        Assert.Equal(7, FanoutOptions.Parse(["--chat-rate", "7"], FdLimit).StartRate);
    }

    [Theory]
    [InlineData("--bogus", "1", "unknown option '--bogus'")]
    [InlineData("--Connections", "5", "unknown option")]
    [InlineData("--connections", "-5", "out of range")]
    [InlineData("--connections", "0", "out of range")]
    [InlineData("--connections", "5e3", "not a whole number")]
    [InlineData("--connections", "99999999999", "not a whole number")]
    [InlineData("--chat-rate", "-1", "out of range")]
    [InlineData("--chat-rate", "NaN", "not a number")]
    [InlineData("--chat-rate", "Infinity", "not a number")]
    [InlineData("--gift-rate", "-0.5", "out of range")]
    [InlineData("--message-size", "10", "out of range")]
    [InlineData("--message-size", "501", "out of range")]
    [InlineData("--duration", "-3s", "out of range")]
    [InlineData("--duration", "0", "out of range")]
    [InlineData("--duration", "10 parsecs", "not a time")]
    [InlineData("--duration", "2h", "not a time")]
    [InlineData("--warmup", "-1", "out of range")]
    [InlineData("--targets", "liveim,kafka", "unknown target 'kafka'")]
    [InlineData("--targets", "raw,raw", "twice")]
    [InlineData("--targets", "liveim-msgpack,LIVEIM-MSGPACK", "twice")]
    [InlineData("--targets", "liveim-messagepack", "unknown target 'liveim-messagepack'; use liveim, signalr, raw, liveim-msgpack")]
    [InlineData("--targets", ",", "at least one")]
    [InlineData("--capacity", "maybe", "use on or off")]
    [InlineData("--publishers", "0", "out of range")]
    [InlineData("--tracer-ratio", "-50", "out of range")]
    [InlineData("--source-addresses", "300", "out of range")]
    [InlineData("--tick-ms", "-10", "out of range")]
    [InlineData("--out", " ", "needs a file name")]
    public void Hostile_values_are_refused_with_a_clear_message(string name, string value, string message)
    {
        var ex = Assert.Throws<OptionsException>(() => FanoutOptions.Parse([name, value], FdLimit));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_option_without_its_value_is_refused()
    {
        var ex = Assert.Throws<OptionsException>(() => FanoutOptions.Parse(["--connections"], FdLimit));
        Assert.Contains("needs a value", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stray_argument_is_refused()
    {
        var ex = Assert.Throws<OptionsException>(() => FanoutOptions.Parse(["10000"], FdLimit));
        Assert.Contains("unexpected argument '10000'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Connections_above_the_open_files_limit_are_refused_with_the_limit_named()
    {
        var ex = Assert.Throws<OptionsException>(() => FanoutOptions.Parse(["--connections", "25000"], FdLimit));
        Assert.Contains("open-files limit is 20,000", ex.Message, StringComparison.Ordinal);
        Assert.Contains("at most 19,896", ex.Message, StringComparison.Ordinal);

        // Exactly at the limit is fine; more publishers leave less room.
        Assert.Equal(19_896, FanoutOptions.Parse(["--connections", "19896"], FdLimit).Connections);
        Assert.Throws<OptionsException>(() => FanoutOptions.Parse(["--connections", "19896", "--publishers", "5"], FdLimit));

        // Unknown limit: not checked.
        Assert.Equal(25_000, FanoutOptions.Parse(["--connections", "25000"], null).Connections);
    }

    [Fact]
    public void A_start_rate_above_the_maximum_is_refused()
    {
        Assert.Throws<OptionsException>(() => FanoutOptions.Parse(["--chat-rate", "500", "--max-rate", "100"], FdLimit));
        Assert.False(FanoutOptions.Parse(["--chat-rate", "500", "--max-rate", "100", "--capacity", "off"], FdLimit).Capacity);
    }

    [Fact]
    public void JSON_and_MessagePack_LiveIm_can_be_measured_in_one_run()
    {
        var o = FanoutOptions.Parse(["--targets", "liveim,liveim-msgpack"], null);
        Assert.Equal([TargetKind.LiveIm, TargetKind.LiveImMessagePack], o.Targets);
        Assert.Equal("liveim-msgpack", TargetKind.LiveImMessagePack.Name());
        Assert.Contains("liveim-msgpack", FanoutOptions.Usage, StringComparison.Ordinal);
    }

    [Fact]
    public void No_capacity_is_a_shorthand()
    {
        Assert.False(FanoutOptions.Parse(["--no-capacity"], FdLimit).Capacity);
    }

    [Fact]
    public void The_usage_names_every_option()
    {
        foreach (var option in new[]
        {
            "--connections", "--chat-rate", "--gift-rate", "--message-size", "--duration", "--warmup", "--targets", "--tick-ms",
            "--capacity", "--max-rate", "--publishers", "--tracer-ratio", "--source-addresses", "--out", "--help",
        })
        {
            Assert.Contains(option, FanoutOptions.Usage, StringComparison.Ordinal);
        }
    }
}

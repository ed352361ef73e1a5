using LiveIm.LoadTest.Fanout;
using LiveIm.LoadTest.Scaling;
using Xunit;

namespace LiveIm.LoadTest.Tests;

public sealed class ScaleOptionsTests
{
    [Fact]
    public void Defaults_run_one_and_eight_gateways_at_the_room_budget()
    {
        var o = ScaleOptions.Parse([]);
        Assert.Equal([1, 8], o.Gateways);
        Assert.Equal(20, o.ChatRate);
        Assert.Equal(5, o.GiftRate);
    }

    [Fact]
    public void A_gateway_list_and_sizes_are_read()
    {
        var o = ScaleOptions.Parse(["--gateways", "1, 2,4,8", "--receivers", "8000", "--seconds", "20", "--json", "s.json"]);
        Assert.Equal([1, 2, 4, 8], o.Gateways);
        Assert.Equal(8000, o.Receivers);
        Assert.Equal(20, o.Seconds);
        Assert.Equal("s.json", o.Json);
    }

    [Theory]
    [InlineData("--gateways", "0")]
    [InlineData("--gateways", "33")]
    [InlineData("--gateways", "1,1")]
    [InlineData("--gateways", "1,,2")]
    [InlineData("--gateways", "-1")]
    [InlineData("--gateways", "1e3")]
    [InlineData("--receivers", "0")]
    [InlineData("--receivers", "19001")]
    [InlineData("--receivers", "99999999999999999999")]
    [InlineData("--chat-rate", "NaN")]
    [InlineData("--chat-rate", "-5")]
    [InlineData("--gift-rate", "Infinity")]
    [InlineData("--seconds", "601")]
    [InlineData("--json", "--out")]
    [InlineData("--out", "")]
    [InlineData("--bogus", "1")]
    public void Bad_values_are_refused_with_the_option_named(string name, string value)
    {
        var ex = Assert.Throws<OptionsException>(() => ScaleOptions.Parse([name, value]));
        Assert.Contains(name == "--bogus" ? "unknown option" : name, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fewer_receivers_than_gateways_are_refused()
    {
        var ex = Assert.Throws<OptionsException>(() => ScaleOptions.Parse(["--gateways", "1,8", "--receivers", "7"]));
        Assert.Contains("every gateway needs members", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_that_would_send_nothing_is_refused()
    {
        Assert.Throws<OptionsException>(() => ScaleOptions.Parse(["--chat-rate", "0", "--gift-rate", "0"]));
    }

    [Fact]
    public void An_option_without_a_value_is_refused()
    {
        Assert.Contains("needs a value", Assert.Throws<OptionsException>(() => ScaleOptions.Parse(["--gateways"])).Message, StringComparison.Ordinal);
    }
}

using LiveIm.RoomGateway.Delivery;
using Xunit;

namespace LiveIm.IntegrationTests;

public sealed class FanoutOptionsTests
{
    [Theory]
    [InlineData(0, 50)]
    [InlineData(1, 50)]
    [InlineData(2_500, 50)]
    [InlineData(5_000, 100)]
    [InlineData(10_000, 200)]
    [InlineData(12_500, 250)]
    [InlineData(25_000, 500)]
    [InlineData(1_000_000, 500)]
    public void At_the_starting_cost_a_rooms_tick_grows_with_its_members_between_the_bounds(int members, int expectedMs) =>
        Assert.Equal(expectedMs, TickPolicy.Fixed(new FanoutOptions()).TickFor(members));

    [Fact]
    public void Equal_bounds_fix_the_tick() =>
        Assert.Equal(20, TickPolicy.Fixed(new FanoutOptions { TickMs = 20, MaxTickMs = 20 }).TickFor(100_000));

    [Fact]
    public void A_max_below_the_min_never_goes_under_the_min() =>
        Assert.Equal(80, TickPolicy.Fixed(new FanoutOptions { TickMs = 80, MaxTickMs = 10 }).TickFor(100_000));

    [Theory]
    [InlineData("TickMs", -1)]
    [InlineData("TickMs", 5000)]
    [InlineData("MaxTickMs", -5)]
    [InlineData("ChatDropBacklogBytes", 10)]
    [InlineData("MaxFrameBytes", 0)]
    [InlineData("RoomCoreShare", 0)]
    [InlineData("FrameCostMicros", -1)]
    [InlineData("GatewayCoreShare", 0)]
    [InlineData("GatewayCoreShare", 1.5)]
    [InlineData("ReliableTickMs", -1)]
    [InlineData("CostSampleMs", 10)]
    public void Out_of_range_settings_are_refused_with_their_name(string setting, double value)
    {
        var options = new FanoutOptions();
        var property = typeof(FanoutOptions).GetProperty(setting)!;
        property.SetValue(options, property.PropertyType == typeof(int) ? (object)(int)value : value);
        var ex = Assert.Throws<InvalidOperationException>(options.Validate);
        Assert.Contains("Fanout:" + setting, ex.Message, StringComparison.Ordinal);
    }
}

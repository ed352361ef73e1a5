using LiveIm.RoomGateway.Limits;
using Xunit;

namespace LiveIm.IntegrationTests;

public sealed class LimitsOptionsTests
{
    [Fact]
    public void The_defaults_are_valid() => new LimitsOptions().Validate();

    [Theory]
    [InlineData("ChatPerSecond", 0)]
    [InlineData("ChatPerSecond", -1)]
    [InlineData("ChatPerSecond", 0.0001)]
    [InlineData("ChatPerSecond", double.NaN)]
    [InlineData("ChatBurst", 0)]
    [InlineData("GiftPerSecond", 0)]
    [InlineData("GiftBurst", -3)]
    [InlineData("LikePerSecond", 2_000_000)]
    [InlineData("LikeBurst", 0)]
    [InlineData("JoinPerSecond", 0)]
    [InlineData("JoinBurst", 0)]
    [InlineData("ModerationPerSecond", 0)]
    [InlineData("ModerationBurst", 0)]
    [InlineData("OtherPerSecond", 0)]
    [InlineData("OtherBurst", 0)]
    [InlineData("MaxMessageBytes", 100)]
    [InlineData("MaxMessageBytes", 2_000_000)]
    [InlineData("MaxPendingInvocations", 0)]
    [InlineData("MaxPendingInvocations", 1025)]
    [InlineData("FloodStrikes", 0)]
    [InlineData("FloodWindowSeconds", 0)]
    [InlineData("MaxConnections", 0)]
    [InlineData("MaxConnectionsPerIp", 0)]
    [InlineData("MaxConnectionsPerIp", 20_001)]
    [InlineData("JoinsPerSecond", 0)]
    [InlineData("JoinsBurst", 0)]
    [InlineData("ConnectRetryAfterMs", 0)]
    public void Out_of_range_settings_are_refused_with_their_name(string setting, double value)
    {
        var options = new LimitsOptions();
        var property = typeof(LimitsOptions).GetProperty(setting)!;
        property.SetValue(options, property.PropertyType == typeof(int) ? (object)(int)value : value);
        var ex = Assert.Throws<InvalidOperationException>(options.Validate);
        Assert.StartsWith("Limits:" + setting + " must be", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("JoinRoom", CallKind.Join)]
    [InlineData("SendChat", CallKind.Chat)]
    [InlineData("SendGift", CallKind.Gift)]
    [InlineData("SendLike", CallKind.Like)]
    [InlineData("Mute", CallKind.Moderation)]
    [InlineData("Unmute", CallKind.Moderation)]
    [InlineData("Ban", CallKind.Moderation)]
    [InlineData("Unban", CallKind.Moderation)]
    [InlineData("SetSlowMode", CallKind.Moderation)]
    [InlineData("DeleteMessage", CallKind.Moderation)]
    [InlineData("LeaveRoom", CallKind.Other)]
    [InlineData("ReportStreamClock", CallKind.Other)]
    public void Hub_methods_map_to_their_kind(string method, CallKind kind) => Assert.Equal(kind, CallKinds.Of(method));

    [Fact]
    public void Each_kind_has_its_own_configured_rate()
    {
        var options = new LimitsOptions { ChatPerSecond = 1, ChatBurst = 2, ModerationPerSecond = 3, ModerationBurst = 4, OtherPerSecond = 5, OtherBurst = 6 };
        Assert.Equal((1d, 2), options.RateOf(CallKind.Chat));
        Assert.Equal((3d, 4), options.RateOf(CallKind.Moderation));
        Assert.Equal((5d, 6), options.RateOf(CallKind.Other));
        Assert.Equal((10d, 20), options.RateOf(CallKind.Gift));
    }
}

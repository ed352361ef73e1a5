using LiveIm.RoomGateway.Connections;
using LiveIm.RoomGateway.Hubs;
using LiveIm.RoomGateway.Limits;
using Microsoft.AspNetCore.SignalR;
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
    [InlineData("AnonymousMaxPendingInvocations", 0)]
    [InlineData("AnonymousMaxPendingInvocations", 1025)]
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

    [Fact]
    public void Anonymous_connections_get_the_configured_hub_options_but_their_own_invocation_slots()
    {
        var configured = new HubOptions
        {
            KeepAliveInterval = TimeSpan.FromSeconds(7), ClientTimeoutInterval = TimeSpan.FromSeconds(21), HandshakeTimeout = TimeSpan.FromSeconds(3),
            MaximumReceiveMessageSize = 4096, MaximumParallelInvocationsPerClient = 128, EnableDetailedErrors = true, StreamBufferCapacity = 3,
            SupportedProtocols = ["json"], StatefulReconnectBufferSize = 1234, DisableImplicitFromServicesParameters = true,
        };
        var anonymous = HubWebSocketEndpoint.AnonymousOptions(new HubOptions<RoomHub>(), configured, new LimitsOptions { AnonymousMaxPendingInvocations = 2 });

        Assert.Equal(3, anonymous.MaximumParallelInvocationsPerClient); // the calls allowed + the spare slot a refusal takes
        var copied = typeof(HubOptions).GetProperties().Where(p => p.CanWrite && p.Name != nameof(HubOptions.MaximumParallelInvocationsPerClient)).ToList();
        Assert.True(copied.Count >= 9, string.Join(", ", copied.Select(p => p.Name)));
        Assert.All(copied, p => Assert.Equal(p.GetValue(configured), p.GetValue(anonymous)));
    }
}

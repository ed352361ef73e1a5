using System.Text;
using LiveIm.Core.Events;
using LiveIm.Core.Rooms;
using Xunit;

namespace LiveIm.Core.Tests;

public sealed class ModerationEventTests
{
    private static RoomEvent Action(string type, ModerationInfo info) => new()
    {
        RoomId = "r1", Id = 12, Seq = 4, Lane = Lane.System, Type = type, From = new EventSender("mod", "Mod", "moderator"),
        Moderation = info, ServerTs = 1700000000000,
    };

    [Fact]
    public void A_moderation_event_carries_only_the_fields_of_its_action_and_parses_back()
    {
        var mute = Action(RoomEventTypes.Mute, new ModerationInfo("u9", 60, 1700000060000));
        var json = Encoding.UTF8.GetString(RoomEventJson.Serialize(mute));
        Assert.Contains("\"type\":\"mute\",\"from\":{\"userId\":\"mod\",\"name\":\"Mod\",\"role\":\"moderator\"},\"moderation\":{\"userId\":\"u9\",\"seconds\":60,\"until\":1700000060000}", json);
        Assert.Equal(mute, RoomEventJson.Deserialize(Encoding.UTF8.GetBytes(json)));

        var delete = Encoding.UTF8.GetString(RoomEventJson.Serialize(Action(RoomEventTypes.Delete, new ModerationInfo(MessageId: 41))));
        Assert.Contains("\"moderation\":{\"messageId\":41}", delete);
        var slowOff = Encoding.UTF8.GetString(RoomEventJson.Serialize(Action(RoomEventTypes.SlowMode, new ModerationInfo(Seconds: 0))));
        Assert.Contains("\"type\":\"slow_mode\"", slowOff);
        Assert.Contains("\"moderation\":{\"seconds\":0}", slowOff);
    }

    [Fact]
    public void The_gateway_knows_ban_events_by_type_and_routes_the_other_actions_as_reliable_system_events()
    {
        Assert.True(RoomEventJson.TryReadEnvelope(RoomEventJson.Serialize(Action(RoomEventTypes.Ban, new ModerationInfo("u9"))), out var ban));
        Assert.Same(RoomEventTypes.Ban, ban.Type);
        Assert.True(ban.IsReliable);
        foreach (var type in new[] { RoomEventTypes.Mute, RoomEventTypes.Unmute, RoomEventTypes.Unban, RoomEventTypes.SlowMode, RoomEventTypes.Delete })
        {
            Assert.True(RoomEventJson.TryReadEnvelope(RoomEventJson.Serialize(Action(type, new ModerationInfo("u9"))), out var e));
            Assert.Equal((Lane.System, RoomEventTypes.Other, 4L), (e.Lane, e.Type, e.Seq!.Value));
            Assert.True(RoomEventTypes.IsModeration(type));
        }
    }

    [Fact]
    public void The_target_of_a_ban_is_read_from_its_moderation_object_only()
    {
        var json = RoomEventJson.Serialize(Action(RoomEventTypes.Ban, new ModerationInfo("a \"quoted\" id")));
        Assert.True(RoomEventJson.TryReadModerationUserId(json, out var userId));
        Assert.Equal("a \"quoted\" id", userId);

        // from.userId is the moderator, never the target; malformed or missing objects give nothing.
        Assert.False(RoomEventJson.TryReadModerationUserId("{\"from\":{\"userId\":\"mod\"},\"type\":\"ban\"}"u8, out _));
        Assert.False(RoomEventJson.TryReadModerationUserId("{\"moderation\":{\"userId\":7}}"u8, out _));
        Assert.False(RoomEventJson.TryReadModerationUserId("{\"moderation\":\"u9\"}"u8, out _));
        Assert.False(RoomEventJson.TryReadModerationUserId("{\"moderation\":{\"userId\":\"\"}}"u8, out _));
        Assert.False(RoomEventJson.TryReadModerationUserId("{\"moderation\":{\"userId\""u8, out _));
        Assert.True(RoomEventJson.TryReadModerationUserId("{\"moderation\":{\"seconds\":5,\"userId\":\"u9\"}}"u8, out userId));
        Assert.Equal("u9", userId);
    }

    [Theory]
    [InlineData("u1", true)]
    [InlineData("alice@example.com", true)]
    [InlineData("名前", true)]
    [InlineData("emoji 🎉", true)]
    [InlineData("", false)]
    [InlineData("   ", false)]
    [InlineData("tab\there", false)]
    [InlineData("nul\u0000", false)]
    [InlineData("c1\u0085", false)]
    public void User_ids_are_1_to_128_characters_without_control_characters(string userId, bool valid)
    {
        Assert.Equal(valid, UserIds.IsValid(userId));
    }

    [Fact]
    public void User_ids_longer_than_128_characters_null_and_lone_surrogates_are_refused()
    {
        Assert.True(UserIds.IsValid(new string('u', 128)));
        Assert.False(UserIds.IsValid(new string('u', 129)));
        Assert.False(UserIds.IsValid(new string('u', 10 * 1024)));
        Assert.False(UserIds.IsValid(null));

        // Lone surrogates (built here: attribute arguments are stored as UTF-8, which cannot hold them).
        Assert.False(UserIds.IsValid("lone" + (char)0xD800));
        Assert.False(UserIds.IsValid((char)0xDC00 + "lone"));
        Assert.False(UserIds.IsValid("a" + (char)0xD800 + "b"));
    }
}

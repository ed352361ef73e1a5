using System.Text;
using LiveIm.Core.Events;
using Xunit;

namespace LiveIm.Core.Tests;

public sealed class RoomEventJsonTests
{
    private static readonly RoomEvent Gift = new()
    {
        RoomId = "r1", Id = 7, Seq = 3, Lane = Lane.Gift, Type = RoomEventTypes.Gift,
        From = new EventSender("u\"1", "Ann </script>", "viewer"), Gift = new GiftInfo("rose", 2), ServerTs = 1700000000000,
    };

    [Fact]
    public void Head_id_seq_and_tail_compose_the_event_that_parses_back()
    {
        var json = RoomEventJson.Compose(RoomEventJson.Head("r1"), 7, 3, RoomEventJson.Tail(Gift));
        Assert.Equal(Gift, RoomEventJson.Deserialize(json));
        Assert.StartsWith("{\"roomId\":\"r1\",\"id\":7,\"seq\":3,\"lane\":\"gift\"", Encoding.UTF8.GetString(json));
        Assert.Contains("\"streamTs\":null", Encoding.UTF8.GetString(json));
    }

    [Fact]
    public void A_stamped_event_is_its_open_tail_closed_by_the_clock_fields_the_scripts_write()
    {
        var stamped = Gift with { StreamTs = 754_210, StreamEpoch = 1_763_739_245_790 };
        var open = RoomEventJson.OpenTail(stamped);
        Assert.EndsWith(",\"serverTs\":1700000000000", Encoding.UTF8.GetString(open));
        Assert.Equal(",\"streamTs\":754210,\"streamEpoch\":1763739245790}", Encoding.UTF8.GetString(RoomEventJson.ClockFields(754_210, 1_763_739_245_790)));
        Assert.Equal(",\"streamTs\":null}", Encoding.UTF8.GetString(RoomEventJson.ClockFields(null, null)));
        Assert.Equal(",\"streamTs\":null}", Encoding.UTF8.GetString(RoomEventJson.ClockFields(5, null))); // both or neither
        Assert.Equal([.. open, .. RoomEventJson.ClockFields(754_210, 1_763_739_245_790)], RoomEventJson.Tail(stamped));

        var json = RoomEventJson.Serialize(stamped);
        Assert.Equal(stamped, RoomEventJson.Deserialize(json));
        Assert.True(RoomEventJson.TryReadEnvelope(json, out var e));
        Assert.Equal(((long?)754_210, (long?)1_763_739_245_790), (e.StreamTs, e.StreamEpoch));
    }

    [Fact]
    public void A_half_stamp_is_carried_as_no_stamp()
    {
        var half = "{\"roomId\":\"r\",\"id\":5,\"seq\":null,\"lane\":\"like\",\"type\":\"likes\",\"likes\":2,\"serverTs\":1,\"streamTs\":9}"u8;
        Assert.True(RoomEventJson.TryReadEnvelope(half, out var e));
        Assert.Equal(((long?)null, (long?)null), (e.StreamTs, e.StreamEpoch));
    }

    [Fact]
    public void Best_effort_events_carry_a_null_seq()
    {
        var chat = new RoomEvent { RoomId = "r1", Id = 9, Lane = Lane.Chat, Type = RoomEventTypes.Chat, Text = "\"serverTs\":1", ServerTs = 5 };
        var json = RoomEventJson.Serialize(chat);
        Assert.Contains("\"seq\":null", Encoding.UTF8.GetString(json));
        Assert.Equal(chat, RoomEventJson.Deserialize(json));
        Assert.True(RoomEventJson.TryReadEnvelope(json, out var e));
        Assert.Equal(new EventEnvelope(9, null, Lane.Chat, RoomEventTypes.Chat, 0, 5), e);
        Assert.False(e.IsReliable);
    }

    [Fact]
    public void Routing_fields_are_read_without_the_rest()
    {
        Assert.True(RoomEventJson.TryReadEnvelope(RoomEventJson.Serialize(Gift), out var e));
        Assert.Equal((7L, (long?)3, Lane.Gift, RoomEventTypes.Gift), (e.Id, e.Seq, e.Lane, e.Type));
        Assert.True(e.IsReliable);
        Assert.Same(Lane.Gift, e.Lane);
    }

    [Fact]
    public void Likes_and_unknown_types_are_read()
    {
        var likes = new RoomEvent { RoomId = "r1", Id = 4, Lane = Lane.Like, Type = RoomEventTypes.Likes, Likes = 17, ServerTs = 8 };
        Assert.True(RoomEventJson.TryReadEnvelope(RoomEventJson.Serialize(likes), out var e));
        Assert.Equal(new EventEnvelope(4, null, Lane.Like, RoomEventTypes.Likes, 17, 8), e);

        var future = "{\"roomId\":\"r\",\"id\":5,\"seq\":9,\"lane\":\"system\",\"type\":\"poll\",\"poll\":{\"q\":[1,2]},\"serverTs\":1}"u8;
        Assert.True(RoomEventJson.TryReadEnvelope(future, out e));
        Assert.Equal((Lane.System, RoomEventTypes.Other, 9L), (e.Lane, e.Type, e.Seq!.Value));
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"id\":\"x\"}")]
    [InlineData("{\"id\":1,\"seq\":2")]
    [InlineData("not json")]
    [InlineData("{\"id\":1,\"lane\":\"warp\"}")]
    [InlineData("{\"lane\":\"chat\"}")]
    [InlineData("{\"id\":1,\"lane\":\"chat\"}{}")]
    [InlineData("{\"id\":1,\"lane\":\"chat\",\"likes\":99999999999}")]
    [InlineData("{\"id\":1e400,\"lane\":\"chat\"}")]
    [InlineData("{\"id\":1,\"lane\":\"chat\",\"serverTs\":\"x\"}")]
    public void Unreadable_payloads_are_refused(string payload)
    {
        Assert.False(RoomEventJson.TryReadEnvelope(Encoding.UTF8.GetBytes(payload), out _));
    }

    [Fact]
    public void Invalid_utf8_inside_a_string_is_refused()
    {
        byte[] json = [.. "{\"id\":1,\"lane\":\"chat\",\"text\":\""u8, 0xC3, 0x28, .. "\"}"u8];
        Assert.False(RoomEventJson.TryReadEnvelope(json, out _));
    }
}

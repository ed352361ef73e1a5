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
    public void Best_effort_events_carry_a_null_seq()
    {
        var chat = new RoomEvent { RoomId = "r1", Id = 9, Lane = Lane.Chat, Type = RoomEventTypes.Chat, Text = "\"serverTs\":1", ServerTs = 5 };
        var json = RoomEventJson.Serialize(chat);
        Assert.Contains("\"seq\":null", Encoding.UTF8.GetString(json));
        Assert.Equal(chat, RoomEventJson.Deserialize(json));
        Assert.True(RoomEventJson.TryReadRouting(json, out var id, out var seq, out var lane));
        Assert.Equal((9L, (long?)null, Lane.Chat), (id, seq, lane));
    }

    [Fact]
    public void Routing_fields_are_read_without_the_rest()
    {
        Assert.True(RoomEventJson.TryReadRouting(RoomEventJson.Serialize(Gift), out var id, out var seq, out var lane));
        Assert.Equal((7L, (long?)3, Lane.Gift), (id, seq, lane));
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"id\":\"x\"}")]
    [InlineData("{\"id\":1,\"seq\":2")]
    [InlineData("not json")]
    public void Unreadable_payloads_are_refused(string payload)
    {
        Assert.False(RoomEventJson.TryReadRouting(Encoding.UTF8.GetBytes(payload), out _, out _, out _));
    }
}

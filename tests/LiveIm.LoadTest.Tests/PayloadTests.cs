using System.Text;
using System.Text.RegularExpressions;
using LiveIm.LoadTest.Measurement;
using Xunit;

namespace LiveIm.LoadTest.Tests;

public sealed partial class PayloadTests
{
    [Theory]
    [InlineData(0L, 0L, 32)]
    [InlineData(123_456_789L, 7L, 100)]
    [InlineData(long.MaxValue, long.MaxValue, 500)]
    public void A_chat_line_has_the_asked_length_and_gives_back_its_timestamp(long timestamp, long number, int size)
    {
        var text = Payload.ChatText(timestamp, number, size);
        Assert.Equal(size, text.Length);
        Assert.Equal(text.Trim(), text);
        Assert.All(text, c => Assert.True(c is >= '!' and <= '~', $"'{c}' is not plain printable ASCII"));
        Assert.True(Payload.TryReadChatTimestamp(Encoding.UTF8.GetBytes(text), out var read));
        Assert.Equal(timestamp, read);
    }

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(42L, 987_654_321_012L)]
    [InlineData(int.MaxValue, long.MaxValue)]
    public void A_gift_id_is_a_valid_token_and_gives_back_number_and_timestamp(long number, long timestamp)
    {
        var giftId = Payload.GiftId(number, timestamp);
        Assert.Matches(SafeToken(), giftId);
        Assert.True(Payload.TryReadGiftId(Encoding.UTF8.GetBytes(giftId), out var n, out var ts));
        Assert.Equal(number, n);
        Assert.Equal(timestamp, ts);
    }

    [Theory]
    [InlineData("")]
    [InlineData("rose")]
    [InlineData("g")]
    [InlineData("g12")]
    [InlineData("g12_")]
    [InlineData("g_123")]
    [InlineData("g12_34x")]
    [InlineData("g-1_34")]
    [InlineData("g12_-34")]
    [InlineData("x12_34")]
    public void Gift_ids_of_others_are_not_read_as_ours(string giftId)
    {
        Assert.False(Payload.TryReadGiftId(Encoding.UTF8.GetBytes(giftId), out _, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("t")]
    [InlineData("t123")]
    [InlineData("tabc-1-")]
    [InlineData("t-5-1-")]
    public void Chat_lines_of_others_are_not_read_as_ours(string text)
    {
        Assert.False(Payload.TryReadChatTimestamp(Encoding.UTF8.GetBytes(text), out _));
    }

    [Fact]
    public void A_client_message_id_is_a_valid_token()
    {
        Assert.Matches(SafeToken(), Payload.ClientMsgId("0123abcd", long.MaxValue));
    }

    [Theory]
    [InlineData(31)]
    [InlineData(501)]
    public void A_chat_line_length_outside_32_to_500_is_refused(int size)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Payload.ChatText(1, 1, size));
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex SafeToken();
}

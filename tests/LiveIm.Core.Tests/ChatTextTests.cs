using LiveIm.Core.Rooms;
using Xunit;

namespace LiveIm.Core.Tests;

public sealed class ChatTextTests
{
    [Theory]
    [InlineData("  hi  ", "hi")]
    [InlineData("emoji 🎉", "emoji 🎉")]
    [InlineData("\u00a0nbsp\u00a0", "nbsp")]
    public void Text_is_trimmed(string input, string expected)
    {
        Assert.True(ChatText.TryNormalize(input, out var normalized, out _));
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("a\u0000b")]
    [InlineData("a\u001bb")]
    [InlineData("a\u007fb")]
    [InlineData("a\u0085b")]
    public void Empty_control_and_broken_text_is_rejected(string? input)
    {
        Assert.False(ChatText.TryNormalize(input, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void Unpaired_surrogates_are_rejected()
    {
        // Built at run time: attribute strings are stored as UTF-8, which cannot hold a lone surrogate.
        Assert.False(ChatText.TryNormalize("a" + (char)0xD800 + "b", out _, out _));
        Assert.False(ChatText.TryNormalize("a" + (char)0xDC00, out _, out _));
        Assert.True(ChatText.TryNormalize("a" + (char)0xD83C + (char)0xDF89, out _, out _));
    }

    [Fact]
    public void Length_counts_after_trimming()
    {
        Assert.True(ChatText.TryNormalize(" " + new string('x', 500) + " ", out _, out _));
        Assert.False(ChatText.TryNormalize(new string('x', 501), out _, out _));
    }
}

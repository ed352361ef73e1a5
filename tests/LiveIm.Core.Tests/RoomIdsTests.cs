using LiveIm.Core.Bus;
using LiveIm.Core.Rooms;
using Xunit;

namespace LiveIm.Core.Tests;

public sealed class RoomIdsTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("Room_1-x")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123")]
    public void Ids_of_the_allowed_alphabet_and_length_are_valid(string id)
    {
        Assert.True(RoomIds.IsValid(id));
        Assert.Equal("liveim.room." + id, Subjects.Room(id));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("a.b")]
    [InlineData("*")]
    [InlineData(">")]
    [InlineData("a b")]
    [InlineData("a\r\nPUB x 1")]
    [InlineData("ünï")]
    [InlineData("01234567890123456789012345678901234567890123456789012345678901234")]
    public void Anything_that_could_change_a_subject_is_invalid(string? id)
    {
        Assert.False(RoomIds.IsValid(id));
        Assert.Throws<ArgumentException>(() => Subjects.Room(id!));
    }
}

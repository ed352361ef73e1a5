using Xunit;

namespace LiveIm.SignalR.Tests;

public sealed class HubExceptionTests
{
    [Theory]
    [InlineData("An unexpected error occurred invoking 'JoinRoom' on the server. HubException: invalid_room: r1", "invalid_room: r1")]
    [InlineData("invalid_room: r1", "invalid_room: r1")]
    [InlineData("An unexpected error occurred invoking 'JoinRoom' on the server.", "An unexpected error occurred invoking 'JoinRoom' on the server.")]
    public void ServerMessage_strips_only_the_aspnetcore_wording(string message, string expected)
    {
        Assert.Equal(expected, new HubException(message).ServerMessage);
    }
}

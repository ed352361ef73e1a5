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

public sealed class HubConnectionOptionsTests
{
    [Fact]
    public void Bad_options_are_rejected_when_the_connection_is_created()
    {
        var url = new Uri("http://127.0.0.1:1/hubs/test");
        Assert.Throws<ArgumentException>(() => new HubConnection(new HubConnectionOptions { Url = new Uri("ftp://h/x") }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HubConnection(new HubConnectionOptions { Url = url, ReceiveBufferSize = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HubConnection(new HubConnectionOptions { Url = url, HandshakeTimeout = TimeSpan.FromSeconds(-2) }));
    }

    [Fact]
    public async Task Stop_and_dispose_of_a_never_started_connection_do_nothing()
    {
        var connection = new HubConnection(new HubConnectionOptions { Url = new Uri("http://127.0.0.1:1/hubs/test") });
        await connection.StopAsync();
        await connection.DisposeAsync();
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
    }
}

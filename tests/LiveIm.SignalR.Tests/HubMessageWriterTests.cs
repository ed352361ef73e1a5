using System.Text;
using System.Text.Json;
using LiveIm.SignalR.Protocol;
using Xunit;

namespace LiveIm.SignalR.Tests;

public sealed class HubMessageWriterTests
{
    private static string Write(long id, string target, params object?[] args)
    {
        using var frame = HubMessageWriter.WriteInvocation(id, target, args, JsonSerializerOptions.Web);
        return Encoding.UTF8.GetString(frame.Memory.Span);
    }

    [Fact]
    public void Invocation_with_id_matches_the_spec_encoding()
    {
        Assert.Equal("{\"type\":1,\"invocationId\":\"42\",\"target\":\"Add\",\"arguments\":[40,2]}\u001e", Write(42, "Add", 40, 2));
    }

    [Fact]
    public void Non_blocking_invocation_has_no_id_and_camel_cases_objects()
    {
        Assert.Equal(
            "{\"type\":1,\"target\":\"Send\",\"arguments\":[null,{\"roomId\":\"r1\"}]}\u001e",
            Write(-1, "Send", null, new { RoomId = "r1" }));
    }

    [Fact]
    public void Completion_error_echoes_the_raw_invocation_id()
    {
        using var frame = HubMessageWriter.WriteCompletionError("a\\\"b"u8, "no");
        Assert.Equal("{\"type\":3,\"invocationId\":\"a\\\"b\",\"error\":\"no\"}\u001e", Encoding.UTF8.GetString(frame.Memory.Span));
    }

    [Theory]
    [InlineData("http://h:5101/hubs/room", "http://h:5101/hubs/room/negotiate?negotiateVersion=1")]
    [InlineData("http://h:5101/hubs/room/?x=1", "http://h:5101/hubs/room/negotiate?x=1&negotiateVersion=1")]
    public void Negotiate_url(string url, string expected)
    {
        Assert.Equal(expected, HubConnection.BuildNegotiateUri(new Uri(url)).ToString());
    }

    [Theory]
    [InlineData("http://h:5101/hubs/room", "t/1", "a b", "ws://h:5101/hubs/room?id=t%2F1&access_token=a%20b")]
    [InlineData("https://h/hubs/room?x=1", null, null, "wss://h/hubs/room?x=1")]
    [InlineData("https://h/hubs/room", "t", "", "wss://h/hubs/room?id=t")]
    public void WebSocket_url(string url, string? token, string? accessToken, string expected)
    {
        Assert.Equal(expected, HubConnection.BuildWebSocketUri(new Uri(url), token, accessToken).AbsoluteUri);
    }
}

using System.Text;
using System.Text.Json;
using LiveIm.SignalR.Protocol;
using Xunit;

namespace LiveIm.SignalR.Tests;

public sealed class HubMessageParserTests
{
    private static (HubMessage Message, byte[] Bytes) Parse(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        return (HubMessageParser.Parse(bytes), bytes);
    }

    private static string Text(byte[] bytes, Range range) => Encoding.UTF8.GetString(bytes.AsSpan()[range]);

    [Fact]
    public void Invocation_exposes_target_and_the_raw_arguments_array()
    {
        var (message, bytes) = Parse("{\"type\":1,\"target\":\"message\",\"arguments\":[\"hi\",{\"a\":[1,2]}]}");
        Assert.Equal(HubProtocolConstants.InvocationType, message.Type);
        Assert.Equal("message", Text(bytes, message.Target));
        Assert.True(message.HasArguments);
        Assert.Equal("[\"hi\",{\"a\":[1,2]}]", Text(bytes, message.Arguments));
        Assert.False(message.HasInvocationId);
        Assert.Null(message.EscapedTarget);
    }

    [Fact]
    public void Property_order_does_not_matter_and_unknown_properties_are_skipped()
    {
        var (message, bytes) = Parse("{\"headers\":{\"k\":\"v\"},\"arguments\":[1],\"streamIds\":[],\"target\":\"m\",\"type\":1}");
        Assert.Equal(1, message.Type);
        Assert.Equal("m", Text(bytes, message.Target));
        Assert.Equal("[1]", Text(bytes, message.Arguments));
    }

    [Theory]
    [InlineData("42", "42")]
    [InlineData("{\"x\":1}", "{\"x\":1}")]
    [InlineData("\"text\"", "\"text\"")]
    [InlineData("null", "null")]
    public void Completion_result_is_the_whole_token(string result, string expected)
    {
        var (message, bytes) = Parse($"{{\"type\":3,\"invocationId\":\"17\",\"result\":{result}}}");
        Assert.Equal(3, message.Type);
        Assert.Equal(17, message.InvocationNumber);
        Assert.True(message.HasResult);
        Assert.Equal(expected, Text(bytes, message.Result));
        Assert.Null(message.Error);
    }

    [Fact]
    public void Completion_error_and_void_completion()
    {
        var (failed, _) = Parse("{\"type\":3,\"invocationId\":\"5\",\"error\":\"invalid_room: no such room\"}");
        Assert.Equal("invalid_room: no such room", failed.Error);
        Assert.False(failed.HasResult);

        var (done, _) = Parse("{\"type\":3,\"invocationId\":\"6\"}");
        Assert.Null(done.Error);
        Assert.False(done.HasResult);
    }

    [Fact]
    public void Invocation_id_that_is_not_ours_parses_as_unknown()
    {
        var (message, bytes) = Parse("{\"type\":3,\"invocationId\":\"abc\"}");
        Assert.True(message.HasInvocationId);
        Assert.Equal(-1, message.InvocationNumber);
        Assert.Equal("abc", Text(bytes, message.InvocationId));
    }

    [Fact]
    public void Close_carries_error_and_allow_reconnect()
    {
        var (message, _) = Parse("{\"type\":7,\"error\":\"slow_consumer\",\"allowReconnect\":true}");
        Assert.Equal(7, message.Type);
        Assert.Equal("slow_consumer", message.Error);
        Assert.True(message.AllowReconnect);
    }

    [Fact]
    public void Escaped_target_is_decoded()
    {
        var (message, _) = Parse("{\"type\":1,\"target\":\"\\u006dsg\",\"arguments\":[]}");
        Assert.Equal("msg", message.EscapedTarget);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{\"type\":\"1\"}")]
    [InlineData("{\"type\":1,\"target\":5}")]
    [InlineData("{\"type\":1")]
    [InlineData("")]
    public void Malformed_messages_are_rejected(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var ex = Record.Exception(() => HubMessageParser.Parse(bytes));
        Assert.True(ex is InvalidDataException or JsonException or InvalidOperationException, ex?.GetType().Name);
    }

    [Fact]
    public void Handshake_response_is_empty_or_an_error()
    {
        Assert.Null(HubMessageParser.ParseHandshakeResponse("{}"u8));
        Assert.Equal("Requested protocol 'x' is not available.",
            HubMessageParser.ParseHandshakeResponse("{\"error\":\"Requested protocol 'x' is not available.\"}"u8));
    }

    [Fact]
    public void Negotiate_response_version_1()
    {
        var response = NegotiateResponse.Parse("""
            {"connectionId":"cid","connectionToken":"tok","negotiateVersion":1,
             "availableTransports":[{"transport":"WebSockets","transferFormats":["Text","Binary"]},
                                    {"transport":"LongPolling","transferFormats":["Text"]}]}
            """u8);
        Assert.Equal("cid", response.ConnectionId);
        Assert.Equal("tok", response.ConnectionToken);
        Assert.Equal(["WebSockets", "LongPolling"], response.Transports);
        Assert.Null(response.Error);
        Assert.Null(response.Url);
    }

    [Fact]
    public void Negotiate_response_redirect_and_error()
    {
        var redirect = NegotiateResponse.Parse("{\"url\":\"https://x/hub\",\"accessToken\":\"t\"}"u8);
        Assert.Equal("https://x/hub", redirect.Url);
        Assert.Equal("t", redirect.AccessToken);
        Assert.Equal("nope", NegotiateResponse.Parse("{\"error\":\"nope\"}"u8).Error);
    }
}

using System.Buffers;
using System.Text;
using LiveIm.Nats.Internal;
using LiveIm.Nats.Tests.Infrastructure;

namespace LiveIm.Nats.Tests.Unit;

public class NatsParserTests
{
    private const string Msg = "MSG room.1.events 9 _INBOX.abc.7 11\r\nhello world\r\n";
    private const string HMsg = "HMSG room.2 3 23 28\r\nNATS/1.0\r\nTrace: t1\r\n\r\nhello\r\n";
    private const string NoResponders = "HMSG _INBOX.x.1 4 16 16\r\nNATS/1.0 503\r\n\r\n\r\n";

    [Fact]
    public void Msg_with_reply_is_parsed()
    {
        var op = ParseSingle(Msg);

        Assert.Equal(ServerOpKind.Msg, op.Kind);
        Assert.Equal("room.1.events", op.Subject);
        Assert.Equal(9, op.Sid);
        Assert.Equal("_INBOX.abc.7", op.ReplyTo);
        Assert.Equal("hello world", Encoding.UTF8.GetString(op.Payload.Span));
        Assert.Null(op.Headers);
    }

    [Fact]
    public void Msg_without_reply_and_with_empty_payload_is_parsed()
    {
        var op = ParseSingle("MSG a 1 0\r\n\r\n");

        Assert.Equal("a", op.Subject);
        Assert.Null(op.ReplyTo);
        Assert.True(op.Payload.IsEmpty);
    }

    [Fact]
    public void Operation_names_are_case_insensitive_and_fields_split_on_runs_of_spaces_and_tabs()
    {
        var op = ParseSingle("msg  a.b\t\t5   3\r\nabc\r\n");

        Assert.Equal("a.b", op.Subject);
        Assert.Equal(5, op.Sid);
        Assert.Equal("abc", Encoding.UTF8.GetString(op.Payload.Span));
    }

    [Fact]
    public void Payload_may_contain_CRLF()
    {
        var op = ParseSingle("MSG a 1 6\r\n\r\nab\r\n\r\n");

        Assert.Equal("\r\nab\r\n", Encoding.UTF8.GetString(op.Payload.Span));
    }

    [Fact]
    public void Hmsg_headers_and_payload_are_parsed()
    {
        var op = ParseSingle(HMsg);

        Assert.Equal("room.2", op.Subject);
        Assert.Equal(3, op.Sid);
        Assert.Null(op.ReplyTo);
        Assert.Equal("hello", Encoding.UTF8.GetString(op.Payload.Span));
        Assert.NotNull(op.Headers);
        Assert.Equal("t1", op.Headers["Trace"]);
        Assert.Null(op.Headers.StatusCode);
    }

    [Fact]
    public void Hmsg_status_line_gives_status_code_and_description()
    {
        var noResponders = ParseSingle(NoResponders);
        var timeout = ParseSingle("HMSG a 1 r 32 32\r\nNATS/1.0 408 Request Timeout\r\n\r\n\r\n");

        Assert.Equal(503, noResponders.Headers!.StatusCode);
        Assert.True(noResponders.Payload.IsEmpty);
        Assert.Equal(408, timeout.Headers!.StatusCode);
        Assert.Equal("Request Timeout", timeout.Headers.StatusDescription);
        Assert.Equal("r", timeout.ReplyTo);
    }

    [Fact]
    public void Control_operations_are_parsed()
    {
        Assert.Equal(ServerOpKind.Ping, ParseSingle("PING\r\n").Kind);
        Assert.Equal(ServerOpKind.Pong, ParseSingle("PONG\r\n").Kind);
        Assert.Equal(ServerOpKind.Ok, ParseSingle("+OK\r\n").Kind);

        var err = ParseSingle("-ERR 'Authorization Violation'\r\n");
        Assert.Equal(ServerOpKind.Err, err.Kind);
        Assert.Equal("Authorization Violation", err.Text);

        var info = ParseSingle("INFO {\"max_payload\":2048}\r\n");
        Assert.Equal(ServerOpKind.Info, info.Kind);
        Assert.Equal(2048, ServerInfo.Parse(info.Text!).MaxPayload);
    }

    [Fact]
    public void Incomplete_operation_is_not_consumed()
    {
        var bytes = Encoding.UTF8.GetBytes(Msg);
        for (var length = 0; length < bytes.Length; length++)
        {
            var buffer = new ReadOnlySequence<byte>(bytes, 0, length);

            Assert.False(NatsParser.TryParse(ref buffer, out _), $"parsed with only {length} bytes");
            Assert.Equal(length, buffer.Length);
        }
    }

    [Theory]
    [InlineData(Msg)]
    [InlineData(HMsg)]
    [InlineData(NoResponders)]
    public void Operation_split_into_two_segments_at_every_byte_parses_the_same(string wire)
    {
        var bytes = Encoding.UTF8.GetBytes(wire);
        var expected = ParseSingle(wire);
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            var buffer = Sequences.Split(bytes, cut);

            Assert.True(NatsParser.TryParse(ref buffer, out var op), $"cut at {cut}");
            AssertSame(expected, op);
            Assert.True(buffer.IsEmpty);
        }
    }

    [Fact]
    public void Stream_of_operations_split_into_three_segments_at_every_pair_of_bytes_parses_in_order()
    {
        var wire = "PING\r\n" + Msg + HMsg + "PONG\r\n" + NoResponders;
        var bytes = Encoding.UTF8.GetBytes(wire);
        var expected = ParseAll(new ReadOnlySequence<byte>(bytes));
        Assert.Equal(5, expected.Count);

        for (var first = 1; first < bytes.Length - 1; first++)
        {
            for (var second = first + 1; second < bytes.Length; second++)
            {
                var ops = ParseAll(Sequences.Split(bytes, first, second));

                Assert.Equal(expected.Count, ops.Count);
                for (var i = 0; i < ops.Count; i++)
                {
                    AssertSame(expected[i], ops[i]);
                }
            }
        }
    }

    [Fact]
    public void Bytes_arriving_one_at_a_time_yield_each_operation_exactly_once()
    {
        // What a socket reader does: append, parse what is complete, keep the rest.
        var bytes = Encoding.UTF8.GetBytes(Msg + HMsg + "PING\r\n");
        var pending = new List<byte>();
        var ops = new List<ServerOp>();
        foreach (var b in bytes)
        {
            pending.Add(b);
            var buffer = new ReadOnlySequence<byte>(pending.ToArray());
            while (NatsParser.TryParse(ref buffer, out var op))
            {
                ops.Add(op);
            }

            pending = [.. buffer.ToArray()];
        }

        Assert.Equal([ServerOpKind.Msg, ServerOpKind.Msg, ServerOpKind.Ping], ops.Select(o => o.Kind));
        Assert.Empty(pending);
    }

    [Theory]
    [InlineData("FOO bar\r\n")]
    [InlineData("MSG a x 3\r\nabc\r\n")]
    [InlineData("MSG a 1\r\n")]
    [InlineData("MSG a 1 3\r\nabcXY")]
    [InlineData("HMSG a 1 10 5\r\nNATS/1.0\r\n\r\n\r\n")]
    public void Malformed_input_is_a_protocol_error(string wire)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(wire));

        Assert.Throws<NatsException>(() => NatsParser.TryParse(ref buffer, out _));
    }

    private static ServerOp ParseSingle(string wire)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(wire));
        Assert.True(NatsParser.TryParse(ref buffer, out var op));
        Assert.True(buffer.IsEmpty, "the whole operation is consumed");
        return op;
    }

    private static List<ServerOp> ParseAll(ReadOnlySequence<byte> buffer)
    {
        var ops = new List<ServerOp>();
        while (NatsParser.TryParse(ref buffer, out var op))
        {
            ops.Add(op);
        }

        Assert.True(buffer.IsEmpty);
        return ops;
    }

    private static void AssertSame(ServerOp expected, ServerOp actual)
    {
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(expected.Subject, actual.Subject);
        Assert.Equal(expected.Sid, actual.Sid);
        Assert.Equal(expected.ReplyTo, actual.ReplyTo);
        Assert.Equal(expected.Payload.ToArray(), actual.Payload.ToArray());
        Assert.Equal(expected.Headers?.ToList(), actual.Headers?.ToList());
        Assert.Equal(expected.Headers?.StatusCode, actual.Headers?.StatusCode);
    }
}

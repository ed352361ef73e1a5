using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LiveIm.Core.Events;
using LiveIm.Core.Serialization;
using LiveIm.RoomGateway.Delivery;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>A room frame in MessagePack is what the official MessagePack protocol reads as <c>events([...])</c>, built only when asked for.</summary>
public sealed class MessagePackFrameTests
{
    private static readonly TickEvent[] Events =
    [
        new(Encoding.UTF8.GetBytes("""{"roomId":"r","id":1,"seq":null,"lane":"chat","type":"chat","from":{"userId":"u","name":"Ann","role":"viewer"},"text":"h\u00e9llo \"you\"","serverTs":1763740000000,"streamTs":null}"""), null, Lane.Chat),
        new(Encoding.UTF8.GetBytes("""{"roomId":"r","id":2,"seq":1,"lane":"gift","type":"gift","gift":{"giftId":"rose","count":3},"serverTs":1763740000001,"streamTs":754210,"streamEpoch":1763739245790}"""), 1, Lane.Gift),
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(400)] // a frame over 16 KB: a 3-byte length prefix
    public void The_official_MessagePack_protocol_reads_the_frame_as_the_events_of_the_JSON_frame(int copies)
    {
        var events = Enumerable.Range(0, copies).SelectMany(_ => Events).ToList();
        var frame = RoomFrame.Build(events);
        try
        {
            Assert.False(frame.HasMessagePack, "nothing is built in MessagePack until a member asks for it");
            var json = frame.MessageFor(FrameFormat.Json).GetSerializedMessage(new JsonHubProtocol());
            Assert.False(frame.HasMessagePack, "a JSON member does not build it");

            var packedMessage = frame.MessageFor(FrameFormat.MessagePack);
            Assert.True(frame.HasMessagePack);
            Assert.Same(packedMessage, frame.MessageFor(FrameFormat.MessagePack));
            var packed = new ReadOnlySequence<byte>(packedMessage.GetSerializedMessage(Protocol()));
            Assert.Equal(packed.Length, frame.LengthIn(FrameFormat.MessagePack));
            Assert.True(frame.LengthIn(FrameFormat.MessagePack) < frame.Length, $"{frame.LengthIn(FrameFormat.MessagePack)} bytes against {frame.Length} in JSON");

            // What docs/protocol.md shows: [1, {}, nil, "events", [[e1, e2, ...]], []] after the VarInt length.
            var bytes = packed.ToArray();
            var prefix = Array.FindIndex(bytes, b => (b & 0x80) == 0) + 1;
            Assert.Equal([0x96, 0x01, 0x80, 0xc0, 0xa6, .. "events"u8.ToArray(), 0x91], bytes[prefix..(prefix + 12)]);
            Assert.Equal(0x90, bytes[^1]);

            Assert.True(Protocol().TryParseMessage(ref packed, new EventsBinder(), out var message));
            Assert.True(packed.IsEmpty, "exactly one record");
            var invocation = Assert.IsType<InvocationMessage>(message);
            Assert.Equal("events", invocation.Target);
            Assert.Null(invocation.InvocationId);
            var batch = Assert.IsType<JsonElement>(Assert.Single(invocation.Arguments));
            var fromJson = JsonNode.Parse(Encoding.UTF8.GetString(json.Span[..^1]))!["arguments"]![0];
            Assert.True(JsonNode.DeepEquals(fromJson, JsonNode.Parse(batch.GetRawText())), batch.GetRawText());
        }
        finally
        {
            frame.Release();
        }
    }

    [Fact]
    public void Both_buffers_go_back_to_the_pool_with_the_last_reference()
    {
        var frame = RoomFrame.Build(Events);
        frame.AddReference();
        _ = frame.MessageFor(FrameFormat.MessagePack);
        frame.Release();
        Assert.True(frame.HasMessagePack, "still referenced");
        frame.Release();
        Assert.False(frame.HasMessagePack, "returned with the JSON buffer");
        Assert.Equal("<returned>", frame.ToString());
    }

    private static MessagePackHubProtocol Protocol() => new(Microsoft.Extensions.Options.Options.Create(new MessagePackHubProtocolOptions
    {
        SerializerOptions = JsonShapedResolver.Options(new JsonSerializerOptions(JsonSerializerDefaults.Web)),
    }));

    private sealed class EventsBinder : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) => [typeof(JsonElement)];

        public Type GetReturnType(string invocationId) => typeof(object);

        public Type GetStreamItemType(string streamId) => typeof(object);
    }
}

using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LiveIm.Core.Events;
using LiveIm.Core.Serialization;
using MessagePack;
using Xunit;

namespace LiveIm.Core.Tests;

public sealed class MessagePackJsonTests
{
    private static byte[] Pack(string json)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        MessagePackJson.WriteJson(Encoding.UTF8.GetBytes(json), ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static string Unpack(byte[] packed)
    {
        var reader = new MessagePackReader(packed);
        var json = Encoding.UTF8.GetString(MessagePackJson.ToJson(ref reader));
        Assert.True(reader.End, "one value, read to its end");
        return json;
    }

    [Theory]
    [InlineData("""{"roomId":"r1","id":7,"seq":null,"lane":"chat","type":"chat","from":{"userId":"u1","name":"Ann","role":"viewer"},"text":"hi","serverTs":1763740000000,"streamTs":null}""")]
    [InlineData("""{"a":[1,-1,0,2147483648,-9223372036854775808,18446744073709551615,1.5,-0.25,1e300],"b":[],"c":{},"d":[[[]]],"e":true,"f":false,"g":null}""")]
    [InlineData("""{"escaped \"key\"":"tab\tnewline\nquote\"slash\\ unicode \u00e9 \ud83c\udf81 raw é ☃"}""")]
    [InlineData("""[]""")]
    [InlineData("""  "just a string"  """)]
    public void JSON_goes_to_MessagePack_and_back_unchanged(string json)
    {
        var back = Unpack(Pack(json));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(back)), back);
    }

    [Fact]
    public void A_room_event_becomes_a_map_with_the_JSON_field_names_and_native_values()
    {
        var json = RoomEventJson.Compose(RoomEventJson.Head("r1"), 7, 3, RoomEventJson.Tail(new RoomEvent
        {
            RoomId = "r1", Lane = Lane.Gift, Type = RoomEventTypes.Gift, From = new EventSender("u1", "Ann", "viewer"),
            Gift = new GiftInfo("rose", 2), ServerTs = 1_763_740_000_000,
        }));
        var packed = Pack(Encoding.UTF8.GetString(json));
        var map = MessagePackSerializer.Deserialize<Dictionary<string, object?>>(packed);
        Assert.Equal("r1", map["roomId"]);
        Assert.Equal(7, Convert.ToInt64(map["id"]));
        Assert.Equal(3, Convert.ToInt64(map["seq"]));
        Assert.Equal(1_763_740_000_000, Convert.ToInt64(map["serverTs"]));
        Assert.Null(map["streamTs"]);
        Assert.True(packed.Length < json.Length, $"{packed.Length} bytes of MessagePack for {json.Length} of JSON");
    }

    [Fact]
    public void MessagePack_nested_deeper_than_the_limit_is_refused_not_recursed_into()
    {
        var deep = Enumerable.Repeat((byte)0x91, 10_000).Append((byte)0xc0).ToArray();
        Assert.Throws<MessagePackSerializationException>(() => Unpack(deep));
    }

    [Theory]
    [InlineData(new byte[] { 0x92, 0x01 })] // an array of 2 with 1 item
    [InlineData(new byte[] { 0xa5, (byte)'a' })] // a 5-byte string with 1 byte
    [InlineData(new byte[] { 0xc1 })] // the never-used code
    public void Truncated_or_invalid_MessagePack_throws_a_MessagePack_or_end_of_stream_error(byte[] bytes)
    {
        var error = Record.Exception(() => Unpack(bytes));
        Assert.True(error is MessagePackSerializationException or EndOfStreamException, $"{error}");
    }

    [Fact]
    public void Non_string_keys_binary_and_non_finite_floats_have_a_JSON_reading()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(3);
        writer.Write(1);
        writer.Write(double.NaN);
        writer.Write("bin");
        writer.Write(new byte[] { 1, 2, 3 });
        writer.Write("ext");
        writer.WriteExtensionFormat(new ExtensionResult(5, new byte[] { 9 }));
        writer.Flush();
        Assert.Equal("""{"1":null,"bin":"AQID","ext":null}""", Unpack(buffer.WrittenSpan.ToArray()));
    }

    [Fact]
    public void The_resolver_writes_results_with_camelCase_keys_and_reads_them_back()
    {
        var options = JsonShapedResolver.Options(new JsonSerializerOptions(JsonSerializerDefaults.Web));
        var packed = MessagePackSerializer.Serialize(new GiftInfo("rose", 2), options);
        Assert.Equal("""{"giftId":"rose","count":2}""", Unpack(packed));
        Assert.Equal(new GiftInfo("rose", 2), MessagePackSerializer.Deserialize<GiftInfo>(packed, options));
        Assert.Equal("hi", MessagePackSerializer.Deserialize<string>(MessagePackSerializer.Serialize("hi", options), options));
        Assert.Equal(JsonValueKind.Array, MessagePackSerializer.Deserialize<JsonElement>(Pack("[1,2]"), options).ValueKind);
        Assert.Null(MessagePackSerializer.Deserialize<GiftInfo?>(new byte[] { 0xc0 }, options));
    }
}

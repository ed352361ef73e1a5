using Xunit;

namespace LiveIm.Redis.Tests.Unit;

public sealed class RedisValueTests
{
    [Fact]
    public void Default_value_is_null()
    {
        RedisValue value = default;
        Assert.True(value.IsNull);
        Assert.Equal(RedisValueType.Null, value.Type);
        Assert.Null(value.AsString());
        Assert.Null(value.AsBytes());
        Assert.Null(value.AsNullableInt64());
        Assert.True(value.AsMemory().IsEmpty);
        Assert.Empty(value.AsArray());
        Assert.Equal("(nil)", value.ToString());
        Assert.Throws<InvalidCastException>(() => value.AsInt64());
    }

    [Fact]
    public void Integers_convert_from_integer_replies_and_from_numeric_strings()
    {
        Assert.Equal(5, RedisValue.FromInteger(5).AsInt64());
        Assert.Equal(-12, RedisValue.FromBulkString("-12").AsInt64());
        Assert.Equal(7, RedisValue.FromSimpleString("7").AsNullableInt64());
        Assert.Equal("5", RedisValue.FromInteger(5).AsString());
        Assert.Throws<InvalidCastException>(() => RedisValue.FromBulkString("x").AsInt64());
    }

    [Theory]
    [InlineData("1.5", 1.5)]
    [InlineData("-3", -3.0)]
    [InlineData("inf", double.PositiveInfinity)]
    [InlineData("+inf", double.PositiveInfinity)]
    [InlineData("-inf", double.NegativeInfinity)]
    [InlineData("1e3", 1000.0)]
    public void Doubles_parse_redis_score_text(string text, double expected)
    {
        Assert.Equal(expected, RedisValue.FromBulkString(text).AsDouble());
    }

    [Fact]
    public void Arrays_render_their_items_and_refuse_scalar_conversions()
    {
        var value = RedisValue.FromArray([RedisValue.FromInteger(1), RedisValue.FromBulkString("a"), RedisValue.Null]);
        Assert.Equal("[1, a, (nil)]", value.ToString());
        Assert.Equal(3, value.AsArray().Length);
        Assert.Throws<InvalidCastException>(() => value.AsString());
        Assert.Throws<InvalidCastException>(() => RedisValue.FromInteger(1).AsArray());
    }

    [Fact]
    public void Bulk_bytes_are_returned_as_stored()
    {
        var bytes = new byte[] { 0, 255, 13, 10 };
        var value = RedisValue.FromBulkString(bytes);
        Assert.Same(bytes, value.AsBytes());
        Assert.True(value.AsMemory().Span.SequenceEqual(bytes));
    }

    [Fact]
    public void Server_error_prefix_is_the_first_word()
    {
        Assert.Equal("WRONGTYPE", new RedisServerException("WRONGTYPE Operation against a key").Prefix);
        Assert.Equal("ERR", new RedisServerException("ERR").Prefix);
    }

    [Fact]
    public void Script_digest_is_the_lowercase_sha1_of_the_source()
    {
        // sha1("return 1"), as `redis-cli SCRIPT LOAD "return 1"` prints it.
        Assert.Equal("e0e1f9fabfc9d4800c877a703b823ac0578ff8db", new RedisScript("return 1").Sha1);
    }
}

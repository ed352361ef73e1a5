using System.Text;
using LiveIm.Nats.Internal;

namespace LiveIm.Nats.Tests.Unit;

public class NatsHeadersTests
{
    [Fact]
    public void Headers_keep_order_and_repeated_names()
    {
        var headers = new NatsHeaders { { "B", "1" }, { "A", "2" }, { "B", "3" } };

        Assert.Equal(["B", "A", "B"], headers.Select(h => h.Key));
        Assert.Equal("1", headers["B"]);
        Assert.Equal(["1", "3"], headers.GetValues("B"));
        Assert.False(headers.TryGetValue("b", out _));
    }

    [Fact]
    public void Indexer_set_replaces_every_value()
    {
        var headers = new NatsHeaders { { "A", "1" }, { "A", "2" } };

        headers["A"] = "3";

        Assert.Equal(["3"], headers.GetValues("A"));
    }

    [Fact]
    public void Serialized_block_matches_its_length_and_parses_back()
    {
        var headers = new NatsHeaders { { "Trace-Id", "abc def" }, { "Room", "räum" } };
        var buffer = new byte[headers.GetWireLength()];

        var written = headers.WriteTo(buffer);
        var parsed = NatsParser.ParseHeaders(buffer);

        Assert.Equal(buffer.Length, written);
        Assert.Equal("NATS/1.0\r\nTrace-Id: abc def\r\nRoom: räum\r\n\r\n", Encoding.UTF8.GetString(buffer));
        Assert.Equal(headers.ToList(), parsed.ToList());
    }

    [Theory]
    [InlineData("", "v")]
    [InlineData("a b", "v")]
    [InlineData("a:b", "v")]
    [InlineData("a", "v\r\nInjected: 1")]
    [InlineData("a", "v\n")]
    public void Invalid_names_and_values_are_rejected(string name, string value)
    {
        Assert.ThrowsAny<ArgumentException>(() => new NatsHeaders { { name, value } });
    }
}

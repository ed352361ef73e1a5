using LiveIm.LoadTest.Fanout;
using LiveIm.LoadTest.Service;
using LiveIm.LoadTest.Targets;
using Xunit;

namespace LiveIm.LoadTest.Tests;

public sealed class ServiceOptionsTests
{
    [Fact]
    public void No_options_give_the_documented_defaults_and_this_checkout()
    {
        var o = ServiceOptions.Parse([]);
        Assert.Equal(200, o.ChatRate);
        Assert.Equal(50, o.GiftRate);
        Assert.Equal(8, o.Callers);
        Assert.Equal(8, o.Rooms);
        Assert.Equal(TimeSpan.FromSeconds(20), o.Duration);
        Assert.Equal(TimeSpan.FromSeconds(5), o.Warmup);
        Assert.Equal([null], o.SystemRoots);
        Assert.Equal(1, o.Rounds);
    }

    [Fact]
    public void Repeated_system_roots_are_measured_in_the_order_given()
    {
        var here = RepoLayout.Root;
        var o = ServiceOptions.Parse(["--system-root", here, "--system-root=" + Path.Combine(here, "docs", ".."), "--rounds", "3"]);
        Assert.Equal([here, here], o.SystemRoots);
        Assert.Equal(3, o.Rounds);
    }

    [Theory]
    [InlineData("--bogus", "1", "unknown option '--bogus'")]
    [InlineData("--chat-rate", "-1", "out of range")]
    [InlineData("--chat-rate", "NaN", "not a number")]
    [InlineData("--gift-rate", "1e400", "not a number")]
    [InlineData("--callers", "0", "out of range")]
    [InlineData("--callers", "2.5", "not a whole number")]
    [InlineData("--rooms", "9", "more than --callers 8")]
    [InlineData("--rounds", "21", "out of range")]
    [InlineData("--duration", "100ms", "out of range")]
    [InlineData("--warmup", "soon", "not a time")]
    [InlineData("--message-size", "5000", "out of range")]
    [InlineData("--system-root", "/nonexistent/liveim", "no LiveIm.sln")]
    [InlineData("--system-root", " ", "needs a directory")]
    [InlineData("--out", "", "needs a file name")]
    public void Bad_values_are_refused_with_a_message_naming_the_option(string name, string value, string expected)
    {
        var ex = Assert.Throws<OptionsException>(() => ServiceOptions.Parse([name, value]));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_to_call_is_refused()
    {
        var ex = Assert.Throws<OptionsException>(() => ServiceOptions.Parse(["--chat-rate", "0", "--gift-rate", "0"]));
        Assert.Contains("nothing to measure", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_option_without_its_value_or_a_bare_word_is_refused()
    {
        Assert.Contains("needs a value", Assert.Throws<OptionsException>(() => ServiceOptions.Parse(["--callers"])).Message, StringComparison.Ordinal);
        Assert.Contains("options start with --", Assert.Throws<OptionsException>(() => ServiceOptions.Parse(["fast"])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_checkout_without_a_build_stops_with_a_build_hint_for_that_checkout()
    {
        var empty = Directory.CreateTempSubdirectory("liveim-nobuild").FullName;
        try
        {
            File.WriteAllText(Path.Combine(empty, "LiveIm.sln"), string.Empty);
            var root = Assert.Single(ServiceOptions.Parse(["--system-root", empty]).SystemRoots);
            var ex = Assert.Throws<FileNotFoundException>(() => RepoLayout.ProjectDll("RoomService", root));
            Assert.Contains($"dotnet build {Path.Combine(empty, "LiveIm.sln")} -c", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }
}

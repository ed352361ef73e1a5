using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace LiveIm.BrowserTests;

/// <summary>
/// The demo room in chromium: a streamer page and a viewer page on different gateways, as two people would open them.
/// </summary>
[Collection(DemoCollection.Name)]
public sealed class DemoRoomTests(DemoCluster cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_chat_line_shows_in_the_viewer_only_once_the_viewers_clock_reaches_the_lines_stream_time()
    {
        var room = DemoCluster.NewRoom("chat");
        var (streamer, viewer) = await OpenRoomAsync(room, delaySeconds: 4);

        // Once the stream has run longer than the delay, the viewer's picture runs its configured 4 s behind live.
        await viewer.WaitForAsync("() => window.liveimViewer.playback().streamMs > 500", Wait, "the viewer's playback starts");
        var behind = await viewer.EvalAsync<double>(
            "() => window.liveimViewer.room.liveStreamPosition().streamMs - window.liveimViewer.playback().streamMs");
        Assert.InRange(behind, 3_800, 4_200);

        var text = "hello " + Guid.NewGuid().ToString("N")[..6];
        await streamer.Page.FillAsync("#chatText", text);
        var sent = Stopwatch.StartNew();
        await streamer.Page.PressAsync("#chatText", "Enter");
        await streamer.WaitForAsync($"() => [...document.querySelectorAll('#feed li')].some(l => l.textContent.includes('{text}'))", Wait, "the streamer sees the line at once");
        var streamTs = long.Parse((await streamer.EvalAsync<string>(
            $"() => [...document.querySelectorAll('#feed li')].find(l => l.textContent.includes('{text}')).dataset.streamTs"))!, System.Globalization.CultureInfo.InvariantCulture);

        // Not before the viewer's clock gets there: poll the viewer page every 50 ms and note its clock.
        var line = $"[...document.querySelectorAll('#chat li')].find(l => l.textContent.includes('{text}'))";
        while (sent.Elapsed < TimeSpan.FromSeconds(12) && !await viewer.EvalAsync<bool>($"() => !!{line}"))
        {
            var clock = await viewer.EvalAsync<double>("() => window.liveimViewer.playback().streamMs");
            Assert.True(clock < streamTs + 150, $"the viewer's clock is at {clock} ms, past the line's {streamTs} ms, and the line is not shown");
            await Task.Delay(50);
        }

        var shownAfter = sent.Elapsed;
        var shownAt = double.Parse((await viewer.EvalAsync<string>($"() => {line}.dataset.shownAt"))!, System.Globalization.CultureInfo.InvariantCulture);
        output.WriteLine($"line at stream {streamTs} ms shown at viewer clock {shownAt} ms, {shownAfter.TotalMilliseconds:0} ms after it was sent");
        Assert.True(shownAt >= streamTs, $"shown at {shownAt}, before its stream time {streamTs}");
        Assert.True(shownAt - streamTs < 300, $"shown at {shownAt}, {shownAt - streamTs} ms after its stream time {streamTs}");
        Assert.InRange(shownAfter, TimeSpan.FromSeconds(3.5), TimeSpan.FromSeconds(6));
        AssertNoConsoleErrors(streamer, viewer);
        await Task.WhenAll(streamer.CloseAsync(), viewer.CloseAsync());
    }

    [Fact]
    public async Task A_gift_shows_exactly_once_on_both_pages_and_likes_add_up_across_gateways()
    {
        var room = DemoCluster.NewRoom("gift");
        var (streamer, viewer) = await OpenRoomAsync(room, delaySeconds: 1);

        await streamer.Page.ClickAsync("button.gift");
        await viewer.Page.ClickAsync("button.gift[data-gift='heart']");
        for (var i = 0; i < 7; i++)
        {
            await viewer.Page.ClickAsync("#like");
        }

        await viewer.WaitForAsync("() => document.querySelectorAll('#gifts li').length >= 2", Wait, "the viewer shows both gifts");
        await viewer.WaitForAsync("() => document.getElementById('likes').textContent === '7'", Wait, "the viewer counts 7 likes");
        await streamer.WaitForAsync("() => document.getElementById('likes').textContent === '7'", Wait, "the streamer counts 7 likes");
        await Task.Delay(2_000);

        Assert.Equal(["rose:1", "heart:1"], await viewer.EvalAsync<string[]>(
            "() => [...document.querySelectorAll('#gifts li')].map(l => l.dataset.gift + ':' + l.dataset.count)"));
        Assert.Equal(2, await streamer.EvalAsync<int>("() => document.querySelectorAll('#feed li.gift-line').length"));
        Assert.Equal("7", await viewer.Page.TextContentAsync("#likes"));
        Assert.Equal("7", await streamer.Page.TextContentAsync("#likes"));
        AssertNoConsoleErrors(streamer, viewer);
        await Task.WhenAll(streamer.CloseAsync(), viewer.CloseAsync());
    }

    [Fact]
    public async Task The_online_count_moves_as_a_viewer_comes_and_goes()
    {
        var room = DemoCluster.NewRoom("online");
        var (streamer, viewer) = await OpenRoomAsync(room, delaySeconds: 1);
        await viewer.WaitForAsync("() => document.getElementById('online').textContent === '2'", Wait, "two in the room");

        var second = await cluster.OpenAsync($"viewer.html?room={room}&delay=1&gateway={cluster.Gateways[0].Url}");
        await viewer.WaitForAsync("() => document.getElementById('online').textContent === '3'", Wait, "three in the room");
        await streamer.WaitForAsync("() => document.getElementById('online').textContent === '3'", Wait, "the streamer sees three");
        await second.CloseAsync();
        await viewer.WaitForAsync("() => document.getElementById('online').textContent === '2'", Wait, "two again");

        AssertNoConsoleErrors(streamer, viewer, second);
        await Task.WhenAll(streamer.CloseAsync(), viewer.CloseAsync());
    }

    [Fact]
    public async Task The_viewer_page_shows_video_chat_gifts_likes_and_state_and_is_photographed()
    {
        var room = DemoCluster.NewRoom("demo");
        var (streamer, viewer) = await OpenRoomAsync(room, delaySeconds: 2);
        foreach (var text in new[] { "welcome to the stream!", "gifts and chat arrive in time with the video", "hi from the other side :)" })
        {
            await streamer.Page.FillAsync("#chatText", text);
            await streamer.Page.PressAsync("#chatText", "Enter");
            await Task.Delay(600);
        }

        var fan = await cluster.OpenAsync($"viewer.html?room={room}&delay=2&name=Mia&gateway={cluster.Gateways[0].Url}");
        await fan.WaitForAsync("() => document.getElementById('state').dataset.state === 'connected'", Wait, "the second viewer joins");
        await fan.Page.FillAsync("#delay", "2");
        await fan.Page.ClickAsync("button.gift[data-gift='rocket']");
        for (var i = 0; i < 5; i++)
        {
            await fan.Page.ClickAsync("#like");
        }

        await viewer.WaitForAsync("() => document.querySelectorAll('#chat li').length >= 3 && document.getElementById('likes').textContent === '5'", Wait, "chat and likes on the viewer page");

        // A second gift, photographed while its animation is at full size (it rises for 2.5 s).
        await fan.Page.ClickAsync("button.gift[data-gift='heart']");
        await viewer.WaitForAsync("() => document.querySelectorAll('#gifts li').length === 2", Wait, "the second gift on the viewer page");
        await viewer.WaitForAsync("() => [...document.querySelectorAll('.gift-pop')].some(p => Number(getComputedStyle(p).opacity) > 0.8)", Wait, "the gift animation at full size");
        var path = Path.Combine(Environment.GetEnvironmentVariable("LIVEIM_SCREENSHOT_DIR") is { Length: > 0 } dir ? dir : AppContext.BaseDirectory, "demo-viewer.png");
        await viewer.Page.ScreenshotAsync(new() { Path = path });
        output.WriteLine("screenshot: " + path);

        Assert.True(new FileInfo(path).Length > 10_000);
        Assert.Equal("connected", await viewer.StateAsync());
        AssertNoConsoleErrors(streamer, viewer, fan);
        await Task.WhenAll(streamer.CloseAsync(), viewer.CloseAsync(), fan.CloseAsync());
    }

    // The streamer on gateway A (live), the viewer on gateway B, both connected and the viewer's clock running.
    private async Task<(DemoPage Streamer, DemoPage Viewer)> OpenRoomAsync(string room, double delaySeconds)
    {
        var streamer = await cluster.OpenAsync($"streamer.html?room={room}&name=Ann&gateway={cluster.Gateways[0].Url}");
        await streamer.WaitForAsync("() => document.getElementById('state').dataset.state === 'connected'", Wait, "the streamer connects");
        await streamer.Page.ClickAsync("#goLive");
        var viewer = await cluster.OpenAsync($"viewer.html?room={room}&name=Bo&delay={DemoCluster.Q(delaySeconds)}&gateway={cluster.Gateways[1].Url}");
        await viewer.WaitForAsync("() => document.getElementById('state').dataset.state === 'connected'", Wait, "the viewer connects");
        await viewer.WaitForAsync("() => !!document.getElementById('video').dataset.streamMs", Wait, "the viewer's clock runs");
        Assert.Equal(cluster.Gateways[0].Url, (await streamer.GatewayAsync())!.TrimEnd('/'));
        Assert.Equal(cluster.Gateways[1].Url, (await viewer.GatewayAsync())!.TrimEnd('/'));
        return (streamer, viewer);
    }

    private static void AssertNoConsoleErrors(params DemoPage[] pages) =>
        Assert.Empty(pages.SelectMany(p => p.Errors));
}

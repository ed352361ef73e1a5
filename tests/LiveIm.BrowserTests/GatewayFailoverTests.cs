using Xunit;
using Xunit.Abstractions;

namespace LiveIm.BrowserTests;

/// <summary>
/// The viewer's gateway leaves while gifts are being sent: drained (SIGTERM) or killed (SIGKILL). The page moves to the
/// other gateway and shows every gift sent meanwhile, once.
/// </summary>
[Collection(DemoCollection.Name)]
public sealed class GatewayFailoverTests(DemoCluster cluster, ITestOutputHelper output)
{
    private const int Gifts = 12;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public Task Draining_the_viewers_gateway_moves_the_page_to_the_other_one_with_every_gift_sent_meanwhile_once() =>
        RunAsync("drain", gateway => gateway.TerminateAsync(), gateway => gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)));

    [Fact]
    public Task Killing_the_viewers_gateway_moves_the_page_to_the_other_one_through_resume_with_every_gift_sent_meanwhile_once() =>
        RunAsync("kill", gateway => gateway.StopAsync(), _ => Task.CompletedTask);

    private async Task RunAsync(string name, Func<ServiceProcess, Task> stop, Func<ServiceProcess, Task> stopped)
    {
        var room = DemoCluster.NewRoom(name);
        var (viewerGateway, streamerGateway) = (cluster.Gateways[0], cluster.Gateways[1]);
        var streamer = await cluster.OpenAsync($"streamer.html?room={room}&name=Ann&gateway={streamerGateway.Url}");
        var viewer = await cluster.OpenAsync($"viewer.html?room={room}&name=Bo&delay=1&gateway={viewerGateway.Url}");
        try
        {
            await streamer.WaitForAsync("() => document.getElementById('state').dataset.state === 'connected'", Wait, "the streamer connects");
            await streamer.Page.ClickAsync("#goLive");
            await viewer.WaitForAsync("() => document.getElementById('state').dataset.state === 'connected'", Wait, "the viewer connects");
            Assert.Equal(viewerGateway.Url, (await viewer.GatewayAsync())!.TrimEnd('/'));

            // Gifts every 250 ms; the viewer's gateway goes after the second.
            for (var i = 0; i < Gifts; i++)
            {
                await streamer.Page.ClickAsync("button.gift");
                if (i == 1)
                {
                    await stop(viewerGateway);
                }

                await Task.Delay(250);
            }

            await viewer.WaitForAsync(
                $"() => document.getElementById('state').dataset.state === 'connected' && document.getElementById('state').dataset.gateway.startsWith('{streamerGateway.Url}')",
                Wait, "the viewer moves to the other gateway");
            await viewer.WaitForAsync($"() => document.querySelectorAll('#gifts li').length >= {Gifts}", Wait, $"the viewer shows {Gifts} gifts");
            await Task.Delay(1_500);

            var seqs = await viewer.EvalAsync<long[]>("() => [...document.querySelectorAll('#gifts li')].map(l => Number(l.dataset.seq))");
            output.WriteLine($"{name}: gifts shown by seq: {string.Join(",", seqs)}; states: {string.Join(" > ", await viewer.EvalAsync<string[]>("() => window.liveimViewer.states"))}");
            Assert.Equal(Gifts, seqs.Length);
            Assert.Equal(Gifts, seqs.Distinct().Count());
            Assert.Equal(Gifts, await streamer.EvalAsync<int>("() => document.querySelectorAll('#feed li.gift-line').length"));
            Assert.Contains("reconnecting", await viewer.EvalAsync<string[]>("() => window.liveimViewer.states"));
            Assert.Empty(streamer.Errors.Concat(viewer.Errors));
        }
        finally
        {
            await stopped(viewerGateway);
            await cluster.RestartAsync(viewerGateway);
            await Task.WhenAll(streamer.CloseAsync(), viewer.CloseAsync());
        }
    }
}

using System.Text.Json;
using LiveIm.LoadTest.Spike;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;

namespace LiveIm.LoadTest.Tests;

/// <summary>
/// Every spike scenario once at smoke size (200 viewers, a few seconds), through the command as a user runs it: it
/// must exit 0 (every threshold held) and write its four reports. The go-live report is opened in Debian's chromium.
/// </summary>
public sealed class SpikeSmokeTests : IClassFixture<SpikeSmokeFixture>
{
    private static readonly string[] Small = ["--viewers", "200", "--ramp", "2s", "--gift-rate", "40", "--gifters", "40", "--progress", "plain"];

    private readonly SpikeSmokeFixture _fixture;
    private readonly ITestOutputHelper _output;

    public SpikeSmokeTests(SpikeSmokeFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    [Fact]
    public async Task Go_live_passes_and_its_html_report_draws_every_chart_in_chromium_without_console_errors()
    {
        var folder = await RunAsync([.. _fixture.Target, "--scenario", "go-live", .. Small, "--hold", "4s", "--leave", "1s", "--chat-budget", "5", "--gift-burst", "2s",
            "--threshold", "join.fail.percent < 1"]);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "report.json")));
        var values = json.RootElement.GetProperty("values");
        Assert.Equal(200, values.GetProperty("join.ok").GetDouble());
        Assert.True(values.GetProperty("chat.sampled").GetDouble() > 0, "chat at 10x the budget must be sampled");
        Assert.True(values.GetProperty("gift.count").GetDouble() > 0, "tracers recorded gift latency");
        Assert.Contains("online", json.RootElement.GetProperty("series").GetProperty("columns").EnumerateArray().Select(c => c.GetString()));

        var (charts, drawn, errors) = await OpenInChromiumAsync(Path.Combine(folder, "report.html"), Path.Combine(folder, "report.png"));
        Assert.True(charts >= 8, $"only {charts} charts");
        Assert.Equal(charts, drawn);
        Assert.Empty(errors);
    }

    [Fact]
    public Task Gift_burst_loses_and_repeats_no_gift() =>
        RunAsync([.. _fixture.Target, "--scenario", "gift-burst", .. Small, "--hold", "5s", "--gift-burst", "1s", "--bursts", "2"]);

    [Fact]
    public Task Many_rooms_puts_each_room_event_on_the_bus_once_per_gateway_with_members() =>
        RunAsync(["--scenario", "many-rooms", .. _fixture.Target, "--viewers", "200", "--ramp", "2s", "--hold", "6s", "--rooms", "20", "--hot-viewers", "50",
            "--gift-rate", "20", "--sending-rooms", "5", "--room-gift-rate", "2", "--gift-burst", "2s", "--progress", "plain"]);

    [Fact]
    public Task A_killed_gateways_viewers_rejoin_elsewhere_and_miss_no_gift() =>
        // Load reports every 0.5 s that count for 1.5 s: assignment stops handing out the dead gateway within the smoke.
        RunAsync(["--scenario", "gateway-kill", "--start", "2", .. Small, "--hold", "6s", "--gift-burst", "3s", "--kill-at", "3s", "--chat-times", "0",
            "--gateway-setting", "Registry:IntervalMs=500", "--gateway-setting", "Registry:TtlMs=1500"]);

    [Fact]
    public Task A_draining_gateways_viewers_move_within_the_spread_and_miss_no_gift() =>
        RunAsync(["--scenario", "drain", "--start", "2", .. Small, "--hold", "6s", "--gift-burst", "3s", "--kill-at", "3s", "--chat-times", "0",
            "--drain-spread", "2s", "--drain-deadline", "3s"]);

    [Fact]
    public Task A_killed_nats_node_loses_no_gift() =>
        RunAsync(["--scenario", "nats-node-kill", "--start", "2", .. Small, "--hold", "6s", "--gift-burst", "3s", "--kill-at", "4s", "--chat-times", "0"]);

    /// <summary>Opens a report in headless chromium; returns (charts, charts drawn, console errors).</summary>
    internal static async Task<(int Charts, int Drawn, List<string> Errors)> OpenInChromiumAsync(string html, string? screenshot)
    {
        var profile = Path.Combine(Path.GetTempPath(), "spike-chromium-" + Guid.NewGuid().ToString("N"));
        var errors = new List<string>();
        try
        {
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
            {
                ExecutablePath = "/usr/bin/chromium",
                Headless = true,
                Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
                ViewportSize = new ViewportSize { Width = 1280, Height = 1700 },
            });
            var page = browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();
            page.Console += (_, m) =>
            {
                if (m.Type == "error")
                {
                    errors.Add(m.Text);
                }
            };
            page.PageError += (_, e) => errors.Add(e);
            await page.GotoAsync(new Uri(html).AbsoluteUri);
            await page.WaitForLoadStateAsync(LoadState.Load);
            var charts = int.Parse(await page.GetAttributeAsync("body", "data-charts") ?? "-1", System.Globalization.CultureInfo.InvariantCulture);
            var drawn = await page.EvaluateAsync<int>("document.querySelectorAll('.chart[data-drawn=\"true\"] svg path').length > 0 ? document.querySelectorAll('.chart[data-drawn=\"true\"]').length : 0");
            if (screenshot is not null)
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = false });
            }

            return (charts, drawn, errors);
        }
        finally
        {
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private async Task<string> RunAsync(string[] args)
    {
        var reports = Path.Combine(Path.GetTempPath(), "spike-smoke-" + Guid.NewGuid().ToString("N"));
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await SpikeCommand.RunAsync([.. args, "--reports", reports], output, error);
        _output.WriteLine(error.ToString());
        _output.WriteLine(output.ToString());
        Assert.True(code == 0, $"spike exited {code}:\n{error}");
        var folder = Assert.Single(Directory.GetDirectories(reports));
        foreach (var file in new[] { "report.html", "report.md", "report.csv", "report.json" })
        {
            Assert.True(new FileInfo(Path.Combine(folder, file)).Length > 100, $"{file} is missing or empty");
        }

        Assert.Contains("asserts:", output.ToString(), StringComparison.Ordinal);
        return folder;
    }
}

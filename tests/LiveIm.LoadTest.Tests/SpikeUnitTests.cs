using System.Diagnostics;
using System.Text;
using LiveIm.LoadTest.Fanout;
using LiveIm.LoadTest.Reports;
using LiveIm.LoadTest.Runner;
using LiveIm.LoadTest.Spike;
using Xunit;

namespace LiveIm.LoadTest.Tests;

/// <summary>The spike runner's parts without servers: thresholds, options, simulations, the frame reader, the engine, the reports.</summary>
public sealed class SpikeUnitTests
{
    [Theory]
    [InlineData("gift.lost == 0", 0, true)]
    [InlineData("gift.lost == 0", 1, false)]
    [InlineData("gift.p99 < 1000", 999.9, true)]
    [InlineData("gift.p99<1000", 1000, false)]
    [InlineData("join.fail.percent <= 1.5", 1.5, true)]
    [InlineData("  x >= -2 ", -2, true)]
    [InlineData("x != 3", 3, false)]
    [InlineData("x > 3", 3.01, true)]
    public void A_parsed_threshold_compares_the_measured_value(string text, double actual, bool passes)
    {
        var metric = text.Trim().Split([' ', '<', '>', '=', '!'])[0];
        var result = Threshold.Parse(text).Check(new Dictionary<string, double> { [metric] = actual });
        Assert.Equal(passes, result.Passed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("gift.lost")]
    [InlineData("gift.lost = 0")]
    [InlineData("gift.lost == zero")]
    [InlineData("gift.lost == NaN")]
    [InlineData("gift.lost == 1e9")]
    [InlineData("Gift.Lost == 0")]
    [InlineData("gift..lost == 0")]
    [InlineData("gift.lost == 0; rm -rf /")]
    [InlineData("gift.lost\u0000 == 0")]
    [InlineData("gift.lost == 0 == 1")]
    public void A_malformed_threshold_is_refused_with_what_to_write(string text)
    {
        var ex = Assert.Throws<FormatException>(() => Threshold.Parse(text));
        Assert.DoesNotContain("\u0000", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_latencys_max_is_the_value_recorded_not_its_histogram_buckets_upper_edge()
    {
        // 9.999 s lands in a bucket whose upper edge is above 10 s at 3 significant digits: a "max <= 10000 ms"
        // threshold on the edge would fail a run whose every value was within it.
        var recorder = new LatencyRecorder();
        recorder.Record(9_999_999);
        recorder.Record(1_000);
        var interval = recorder.TakeInterval();
        Assert.Equal(9_999.999, interval.Max, 3);
        Assert.Equal(9_999.999, recorder.Total().Max, 3);

        recorder.Record(2_000);
        Assert.Equal(2.0, recorder.TakeInterval().Max, 3); // the next interval's own
        Assert.Equal(9_999.999, recorder.Total().Max, 3);
        Assert.Equal(0, recorder.TakeInterval().Count); // an empty interval stays empty
    }

    [Fact]
    public void A_very_long_threshold_is_refused() =>
        Assert.Throws<FormatException>(() => Threshold.Parse(new string('a', 5000) + " == 0"));

    [Fact]
    public void A_threshold_on_a_metric_the_run_did_not_measure_fails_and_says_so()
    {
        var result = Threshold.Parse("gift.lsot == 0").Check(new Dictionary<string, double> { ["gift.lost"] = 0 });
        Assert.False(result.Passed);
        Assert.Contains("not measured", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_threshold_from_the_csharp_api_checks_any_rule()
    {
        var rule = Threshold.Create("joins beat failures", v => v["join.ok"] > 10 * v["join.fail"]);
        Assert.True(rule.Check(new Dictionary<string, double> { ["join.ok"] = 100, ["join.fail"] = 1 }).Passed);
        Assert.False(Threshold.Create("gift.p99", ThresholdOperator.Less, 1000).Check(new Dictionary<string, double> { ["gift.p99"] = double.NaN }).Passed);
    }

    [Theory]
    [InlineData("unknown_option", "--scenario", "go-live", "--bogus", "1")]
    [InlineData("unknown_option", "go-live")]
    [InlineData("missing_value", "--scenario")]
    [InlineData("missing_value", "--viewers", "10")]
    [InlineData("unknown_scenario", "--scenario", "go-live;reboot")]
    [InlineData("invalid_value", "--scenario", "go-live", "--viewers", "0")]
    [InlineData("invalid_value", "--scenario", "go-live", "--viewers", "1e3")]
    [InlineData("invalid_value", "--scenario", "go-live", "--viewers", "999999999999")]
    [InlineData("invalid_value", "--scenario", "go-live", "--ramp", "-1s")]
    [InlineData("invalid_value", "--scenario", "go-live", "--ramp", "10h")]
    [InlineData("invalid_value", "--scenario", "go-live", "--gift-rate", "NaN")]
    [InlineData("invalid_threshold", "--scenario", "go-live", "--threshold", "gift.lost = 0")]
    [InlineData("not_loopback", "--scenario", "go-live", "--roomservice", "http://10.0.0.7:5100")]
    [InlineData("not_loopback", "--scenario", "go-live", "--gateways", "http://127.0.0.1:5101,http://example.com:80")]
    [InlineData("invalid_value", "--scenario", "go-live", "--roomservice", "ftp://127.0.0.1/")]
    [InlineData("needs_start", "--scenario", "gateway-kill")]
    [InlineData("needs_start", "--scenario", "nats-node-kill")]
    [InlineData("invalid_value", "--scenario", "drain", "--start", "1")]
    [InlineData("needs_start", "--scenario", "go-live", "--gateway-setting", "Limits:MaxConnections=5")]
    [InlineData("invalid_value", "--scenario", "go-live", "--start", "1", "--gateway-setting", "no equals")]
    [InlineData("invalid_value", "--scenario", "go-live", "--start", "1", "--gateway-setting", "A:B=x\ny")]
    [InlineData("invalid_value", "--scenario", "many-rooms", "--viewers", "100", "--hot-viewers", "100")]
    [InlineData("invalid_value", "--scenario", "go-live", "--progress", "fancy")]
    public void Hostile_spike_options_are_refused_with_a_stable_code(string code, params string[] args)
    {
        var ex = Assert.Throws<OptionsException>(() => SpikeOptions.Parse(args));
        Assert.StartsWith(code + ":", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Repeated_options_are_bounded()
    {
        var args = new List<string> { "--scenario", "go-live" };
        for (var i = 0; i < SpikeOptions.MaxRepeats + 1; i++)
        {
            args.AddRange(["--threshold", "x == 0"]);
        }

        Assert.StartsWith("invalid_value:", Assert.Throws<OptionsException>(() => SpikeOptions.Parse(args)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Good_options_are_read()
    {
        var o = SpikeOptions.Parse(["--scenario=nats-node-kill", "--start", "2", "--viewers", "300", "--ramp", "500ms", "--kill-at", "2m", "--threshold", "gift.lost == 0",
            "--gateway-setting", "Registry:TtlMs=1500", "--roomservice", "http://localhost:5100"]);
        Assert.Equal(3, o.NatsNodes);
        Assert.Equal(TimeSpan.FromMilliseconds(500), o.Ramp);
        Assert.Equal(TimeSpan.FromMinutes(2), o.KillAt);
        Assert.Single(o.Thresholds);
        Assert.Equal(new KeyValuePair<string, string>("Registry:TtlMs", "1500"), Assert.Single(o.GatewaySettings));
    }

    [Fact]
    public void A_ramp_moves_copies_linearly_and_keep_constant_holds_them()
    {
        var ramp = LoadSimulation.RampingConstant(100, TimeSpan.FromSeconds(10));
        Assert.Equal(0, ramp.CopiesAt(0, TimeSpan.Zero));
        Assert.Equal(50, ramp.CopiesAt(0, TimeSpan.FromSeconds(5)));
        Assert.Equal(100, ramp.CopiesAt(0, TimeSpan.FromSeconds(20)));
        Assert.Equal(60, LoadSimulation.RampingConstant(0, TimeSpan.FromSeconds(10)).CopiesAt(120, TimeSpan.FromSeconds(5)));
        Assert.Equal(7, LoadSimulation.KeepConstant(7, TimeSpan.FromSeconds(1)).CopiesAt(3, TimeSpan.Zero));
        var inject = LoadSimulation.RampingInject(200, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));
        Assert.Equal(50, inject.RatePerSecondAt(0, TimeSpan.FromSeconds(5), new Random(1)), 6);
        var random = LoadSimulation.InjectRandom(10, 20, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        Assert.InRange(random.RatePerSecondAt(0, TimeSpan.Zero, new Random(1)), 10, 20);
    }

    [Fact]
    public void Impossible_simulations_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LoadSimulation.KeepConstant(-1, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => LoadSimulation.Inject(double.NaN, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => LoadSimulation.Inject(1, TimeSpan.Zero, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => LoadSimulation.Pause(TimeSpan.FromDays(2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => LoadSimulation.InjectRandom(5, 1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentException>(() => Scenario.Create("mixed", _ => Task.CompletedTask)
            .WithLoadSimulations(LoadSimulation.KeepConstant(1, TimeSpan.FromSeconds(1)), LoadSimulation.Inject(1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1))));
        Assert.Throws<ArgumentException>(() => Scenario.Create("Bad Name", _ => Task.CompletedTask));
    }

    [Fact]
    public async Task The_runner_injects_at_the_rate_holds_copies_and_checks_thresholds()
    {
        var copies = 0;
        var maxCopies = 0;
        var arrivals = 0;
        var runner = LoadRunner.Create("unit");
        var open = Scenario.Create("open", async context =>
        {
            Interlocked.Increment(ref arrivals);
            await Step.RunAsync("work", context, async () =>
            {
                await Task.Delay(5, context.CancellationToken);
                return context.InvocationNumber % 10 == 0 && context.CopyNumber % 2 == 0 ? Response.Fail("rate_limited", "test") : Response.Ok(10);
            });
        }).WithLoadSimulations(LoadSimulation.Inject(40, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.5)));
        var closed = Scenario.Create("closed", async context =>
        {
            var now = Interlocked.Increment(ref copies);
            InterlockedMax(ref maxCopies, now);
            try
            {
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref copies);
            }
        }).WithLoadSimulations(LoadSimulation.RampingConstant(3, TimeSpan.FromSeconds(0.5)), LoadSimulation.KeepConstant(3, TimeSpan.FromSeconds(1)));
        runner.RegisterScenarios(open, closed).WithThresholds(Threshold.Parse("work.ok > 0"), Threshold.Parse("work.fail.rate_limited == 0"));

        var result = await runner.RunAsync();

        Assert.InRange(arrivals, 58, 62); // 40/s for 1.5 s: iteration k is due at k/40 s
        Assert.Equal(3, maxCopies);
        Assert.Equal(0, copies); // every copy retired
        Assert.Equal(arrivals, (int)(result.Values["work.ok"] + result.Values["work.fail"]));
        Assert.True(result.Values["work.p50"] >= 4, "latency counts from the due time and covers the 5 ms step");
        Assert.True(result.Samples.Count >= 2);
        Assert.False(result.Passed);
        Assert.Contains(result.Thresholds, t => !t.Passed && t.Description == "work.fail.rate_limited == 0");
    }

    [Fact]
    public void The_frame_reader_finds_each_events_seq_gift_number_and_due_time()
    {
        var frame = Encoding.UTF8.GetBytes(
            "{\"type\":1,\"target\":\"events\",\"arguments\":[[" +
            "{\"roomId\":\"r\",\"id\":5,\"seq\":null,\"lane\":\"chat\",\"type\":\"chat\",\"text\":\"t123456-7-xxxx \\\"seq\\\":99\"}," +
            "{\"roomId\":\"r\",\"id\":6,\"seq\":41,\"lane\":\"gift\",\"type\":\"gift\",\"gift\":{\"giftId\":\"g17_999\",\"count\":1}}," +
            "{\"roomId\":\"r\",\"id\":0,\"seq\":null,\"lane\":\"system\",\"type\":\"online\",\"online\":3}]]}");
        var reader = new FrameReader(frame, timestamps: true);
        var events = new List<FrameEvent>();
        while (reader.Next(out var e))
        {
            events.Add(e);
        }

        Assert.Equal(3, events.Count);
        Assert.Equal(((byte)'c', -1L, 123456L), (events[0].Lane, events[0].Seq, events[0].SentTimestamp));
        Assert.Equal(((byte)'g', 41L, 17L, 999L), (events[1].Lane, events[1].Seq, events[1].GiftNumber, events[1].SentTimestamp));
        Assert.Equal(((byte)'s', -1L), (events[2].Lane, events[2].Seq));
    }

    [Theory]
    [InlineData("An unexpected error occurred invoking 'SendGift' on the server. HubException: rate_limited: gift limit retryAfterMs=120", "rate_limited")]
    [InlineData("JoinRoom failed: unavailable: draining", "unavailable")]
    [InlineData("The server refused the WebSocket upgrade: HTTP/1.1 429 Too Many Requests", "http_429")]
    [InlineData("something odd", null)]
    public void Error_codes_are_read_from_what_the_server_says(string message, string? code) =>
        Assert.Equal(code, ErrorCodes.FromMessage(message));

    [Fact]
    public void Error_codes_become_safe_column_names() =>
        Assert.Equal("x_y__script", Response.SafeCode("X.Y</script>"));

    [Fact]
    public void Zipf_sizes_add_up_and_fall_with_rank()
    {
        var sizes = ZipfRooms.Sizes(10_000, 1000, 1.0);
        Assert.Equal(10_000, sizes.Sum());
        Assert.All(sizes, s => Assert.True(s >= 1));
        Assert.True(sizes[0] > sizes[9] && sizes[9] >= sizes[999]);
        Assert.Equal(150, ZipfRooms.Sizes(150, 1000, 1.2).Sum());
        var placement = ZipfRooms.Placement(sizes, 1);
        Assert.Equal(sizes[0], placement.Count(r => r == 0));
    }

    [Fact]
    public async Task The_html_report_escapes_what_the_run_measured_and_draws_in_chromium()
    {
        var hostile = "</script><script>console.error('injected')</script><img src=x onerror=\"console.error('img')\">";
        var result = new RunResult
        {
            Name = "go-live",
            StartedUtc = DateTime.UtcNow,
            Duration = TimeSpan.FromSeconds(3),
            Scenarios = [hostile],
            Steps = [new StepSummary("viewers", "join", 3, new Dictionary<string, long> { ["rate_limited"] = 1 }, 0, LatencyStats.Empty, hostile)],
            Values = new Dictionary<string, double> { ["join.ok"] = 3 },
            Samples = Enumerable.Range(1, 3).Select(i => new Sample(i, new Dictionary<string, double>
            {
                ["connections"] = i * 10, ["join.ok"] = i, ["join.fail.rate_limited"] = 1, ["gift.p99"] = double.NaN, ["cpu.gateway_1"] = 20 * i,
            })).ToList(),
            Notes = [hostile],
            Figures = [new(hostile, hostile)],
        };
        var folder = await ReportWriter.WriteAsync(result, Path.Combine(Path.GetTempPath(), "spike-unit-" + Guid.NewGuid().ToString("N")));
        Assert.EndsWith("go-live-" + result.StartedUtc.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture), folder, StringComparison.Ordinal);
        var csv = await File.ReadAllLinesAsync(Path.Combine(folder, "report.csv"));
        Assert.Equal("t,connections,cpu.gateway_1,gift.p99,join.fail.rate_limited,join.ok", csv[0]);
        Assert.Equal("1,10,20,,1,1", csv[1]);

        var (charts, drawn, errors) = await SpikeSmokeTests.OpenInChromiumAsync(Path.Combine(folder, "report.html"), null);
        Assert.Equal(5, charts); // connections, joins, latency (gift.p99 column), errors, cpu
        Assert.Equal(charts, drawn);
        Assert.Empty(errors);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}

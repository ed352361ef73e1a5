using System.Diagnostics.Metrics;
using LiveIm.Hosting.Metrics;
using LiveIm.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary><c>Otlp:Endpoint</c> turns on OTLP export of the process's meters (here over http/protobuf to a fake collector).</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task With_an_endpoint_the_meters_are_pushed_to_the_collector_over_otlp()
    {
        var received = 0;
        var contentType = "";
        var collectorPort = FreePort.Next();
        var collectorBuilder = WebApplication.CreateBuilder();
        collectorBuilder.Logging.AddTestLogFile(nameof(OtlpExportTests));
        collectorBuilder.WebHost.UseUrls($"http://127.0.0.1:{collectorPort}");
        await using var collector = collectorBuilder.Build();
        collector.MapPost("/v1/metrics", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            if (body.Length > 0)
            {
                contentType = request.ContentType ?? "";
                Interlocked.Increment(ref received);
            }

            return Results.Ok();
        });
        await collector.StartAsync();

        var meterName = "LiveIm.OtlpTest." + Guid.NewGuid().ToString("N");
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.AddTestLogFile(nameof(OtlpExportTests));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Otlp:Endpoint"] = $"http://127.0.0.1:{collectorPort}/v1/metrics",
            ["Otlp:Protocol"] = "http/protobuf",
            ["Otlp:ExportIntervalMs"] = "200",
        });
        using var meter = new Meter(meterName);
        builder.AddLiveImMetrics(_ => [meter]);
        using var host = builder.Build();
        await host.StartAsync();
        meter.CreateCounter<long>("liveim.test.things").Add(5);

        await Eventually.TrueAsync(() => Volatile.Read(ref received) > 0, TimeSpan.FromSeconds(10), "the collector receives an OTLP export");
        Assert.Equal("application/x-protobuf", contentType);
        await host.StopAsync();
    }

    [Theory]
    [InlineData("Otlp:Endpoint", "not a url", "Otlp:Endpoint must be an absolute URL")]
    [InlineData("Otlp:Protocol", "carrier-pigeon", "Otlp:Protocol must be grpc or http/protobuf")]
    [InlineData("Otlp:ExportIntervalMs", "10", "Otlp:ExportIntervalMs must be 100..3600000")]
    public void A_bad_otlp_setting_stops_start_up(string key, string value, string expected)
    {
        var bad = WebApplication.CreateBuilder();
        bad.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Otlp:Endpoint"] = "http://collector:4317", [key] = value });
        using var meter = new Meter("x");
        bad.AddLiveImMetrics(_ => [meter]);
        Assert.Contains(expected, StartupChecks.Refusal(bad), StringComparison.Ordinal);
    }
}

using System.Diagnostics.Metrics;
using LiveIm.Hosting.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace LiveIm.Hosting.Metrics;

/// <summary>
/// The process's meters (System.Diagnostics.Metrics) exported by OpenTelemetry: <c>GET /metrics</c> in Prometheus text
/// format 0.0.4 (or OpenMetrics when the scraper asks for it) from OpenTelemetry's Prometheus exporter, and an OTLP
/// push when <c>Otlp:Endpoint</c> is set (<see cref="OtlpOptions"/>), both from one meter provider. Names: the
/// instrument name with <c>.</c> as <c>_</c>, the unit as a suffix (<c>_seconds</c>; <c>_bytes</c> unless the name
/// already ends with it), <c>_total</c> for counters (docs/operations.md, "Metrics").
/// </summary>
public static class MetricsExport
{
    /// <summary>Registers the meter provider over <paramref name="meters"/> (this host's own meter instances).</summary>
    public static IHostApplicationBuilder AddLiveImMetrics(this IHostApplicationBuilder builder, Func<IServiceProvider, IEnumerable<Meter>> meters)
    {
        builder.Services.AddLiveImOptions<OtlpOptions>(OtlpOptions.Section, OtlpOptions.Check);
        builder.Services.AddSingleton(sp =>
        {
            var mine = meters(sp).ToHashSet();
            var otlp = sp.GetRequiredService<OtlpOptions>();
            var provider = Sdk.CreateMeterProviderBuilder()
                .AddMeter(mine.Select(m => m.Name).Distinct().ToArray())

                // A provider listens to meters by name; several hosts in one process (the integration tests run a
                // RoomService and three gateways side by side) have meters of the same names. Each host exports the
                // instruments of its own meter instances only.
                .AddView(instrument => mine.Contains(instrument.Meter) ? null : MetricStreamConfiguration.Drop)
                .AddPrometheusExporter(prometheus =>
                {
                    // Every scrape reads the current values: the exporter's default 300 ms cache would hand two scrapes
                    // in a row (a before/after reading) the same numbers.
                    prometheus.ScrapeResponseCacheDurationMilliseconds = 0;

                    // No otel_scope_name label on every series and no target_info family: the names and label sets
                    // stay what dashboards and alert rules were written against.
                    prometheus.ScopeInfoEnabled = false;
                    prometheus.TargetInfoEnabled = false;
                });
            if (otlp.Enabled)
            {
                provider.AddOtlpExporter((exporter, reader) =>
                {
                    exporter.Endpoint = new Uri(otlp.Endpoint!, UriKind.Absolute);
                    exporter.Protocol = otlp.ExportProtocol;
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = otlp.ExportIntervalMs;
                });
            }

            return provider.Build();
        });
        builder.Services.AddHostedService<MeterProviderLifetime>();
        return builder;
    }

    /// <summary>Maps <c>GET /metrics</c>.</summary>
    public static IEndpointRouteBuilder MapLiveImMetrics(this IEndpointRouteBuilder endpoints)
    {
        // Created now, not on the first scrape: histograms are aggregated from measurements as they happen, and a
        // provider that does not exist yet would miss them.
        var provider = endpoints.ServiceProvider.GetRequiredService<MeterProvider>();
        endpoints.MapPrometheusScrapingEndpoint("/metrics", provider, null, null);
        return endpoints;
    }

    // Creates the provider at start-up (it listens from then on, also in a host without /metrics) and flushes the OTLP
    // push at shutdown; the container disposes it.
    private sealed class MeterProviderLifetime(MeterProvider provider) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            provider.ForceFlush(2000);
            return Task.CompletedTask;
        }
    }
}

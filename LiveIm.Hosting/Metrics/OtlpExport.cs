using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace LiveIm.Hosting.Metrics;

/// <summary>
/// Pushes the process's meters over OTLP (OpenTelemetry's exporter) when <c>Otlp:Endpoint</c> is set, besides
/// <c>/metrics</c>: same instruments, same names (OpenTelemetry's own naming for the collector). Settings:
/// <c>Otlp:Endpoint</c> (e.g. <c>http://collector:4317</c>), <c>Otlp:Protocol</c> (<c>grpc</c>, default, or
/// <c>http/protobuf</c>, whose endpoint is the full <c>.../v1/metrics</c> URL), <c>Otlp:ExportIntervalMs</c> (default 15000).
/// </summary>
public static class OtlpExport
{
    /// <summary>Registers the OTLP exporter for <paramref name="meterNames"/> when <c>Otlp:Endpoint</c> is set; no-op otherwise.</summary>
    public static IHostApplicationBuilder AddLiveImOtlp(this IHostApplicationBuilder builder, params string[] meterNames)
    {
        var section = builder.Configuration.GetSection("Otlp");
        if (section["Endpoint"] is not { Length: > 0 } endpoint)
        {
            return builder;
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
        {
            throw new InvalidOperationException($"Otlp:Endpoint must be an absolute URL, not '{endpoint}'");
        }

        var protocol = section["Protocol"] switch
        {
            null or "" or "grpc" => OtlpExportProtocol.Grpc,
            "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
            var other => throw new InvalidOperationException($"Otlp:Protocol must be grpc or http/protobuf, not '{other}'"),
        };
        var intervalMs = section.GetValue("ExportIntervalMs", 15_000);
        if (intervalMs is < 100 or > 3_600_000)
        {
            throw new InvalidOperationException("Otlp:ExportIntervalMs must be 100..3600000");
        }

        builder.Services.AddSingleton(_ => Sdk.CreateMeterProviderBuilder()
            .AddMeter(meterNames)
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = uri;
                exporter.Protocol = protocol;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = intervalMs;
            })
            .Build());
        builder.Services.AddHostedService<OtlpStarter>();
        return builder;
    }

    // Creates the meter provider at start-up (it listens from then on) and flushes it at shutdown; the container
    // disposes it.
    private sealed class OtlpStarter(MeterProvider provider) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            provider.ForceFlush(2000);
            return Task.CompletedTask;
        }
    }
}

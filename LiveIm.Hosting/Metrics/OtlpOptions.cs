using OpenTelemetry.Exporter;

namespace LiveIm.Hosting.Metrics;

/// <summary>
/// Section <c>Otlp</c>: push the process's meters over OTLP (OpenTelemetry's exporter) besides <c>/metrics</c>, when
/// <see cref="Endpoint"/> is set. Same instruments, same names (OpenTelemetry's own naming for the collector).
/// </summary>
public sealed class OtlpOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Otlp";

    /// <summary>The collector, e.g. <c>http://collector:4317</c> (for <c>http/protobuf</c> the full <c>.../v1/metrics</c> URL); none: no push.</summary>
    public string? Endpoint { get; set; }

    /// <summary><c>grpc</c> (default) or <c>http/protobuf</c>.</summary>
    public string? Protocol { get; set; }

    /// <summary>How often to push, 100..3600000 ms (default 15000).</summary>
    public int ExportIntervalMs { get; set; } = 15_000;

    /// <summary>True when <see cref="Endpoint"/> is set.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Endpoint);

    /// <summary>The protocol as the exporter takes it.</summary>
    public OtlpExportProtocol ExportProtocol => Protocol is "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;

    /// <summary>Refuses what cannot work (the process does not start).</summary>
    public static void Check(OtlpOptions options)
    {
        if (options.Enabled && !Uri.TryCreate(options.Endpoint, UriKind.Absolute, out _))
        {
            throw new InvalidOperationException($"Otlp:Endpoint must be an absolute URL, not '{options.Endpoint}'");
        }

        if (options.Protocol is not (null or "" or "grpc" or "http/protobuf"))
        {
            throw new InvalidOperationException($"Otlp:Protocol must be grpc or http/protobuf, not '{options.Protocol}'");
        }

        if (options.ExportIntervalMs is < 100 or > 3_600_000)
        {
            throw new InvalidOperationException("Otlp:ExportIntervalMs must be 100..3600000");
        }
    }
}

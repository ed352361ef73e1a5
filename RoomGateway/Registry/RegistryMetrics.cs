using System.Diagnostics.Metrics;

namespace LiveIm.RoomGateway.Registry;

/// <summary>
/// The load reports' counter, on the gateway's meter (<see cref="Delivery.FanoutMetrics.Meter"/>):
/// <c>liveim_gateway_load_reports_total{outcome="ok"|"failed"}</c>. A gateway that is up and not draining but wrote
/// no report for longer than <c>Registry:TtlMs</c> is missing from assignment (RoomService only sees live reports):
/// clients stop coming although it could take them. Nothing else shows that from outside the gateway.
/// </summary>
public sealed class RegistryMetrics
{
    private long _ok;
    private long _failed;

    public RegistryMetrics(Meter meter)
    {
        meter.CreateObservableCounter("liveim.gateway.load_reports", () => new[]
            {
                new Measurement<long>(Interlocked.Read(ref _ok), new KeyValuePair<string, object?>("outcome", "ok")),
                new Measurement<long>(Interlocked.Read(ref _failed), new KeyValuePair<string, object?>("outcome", "failed")),
            },
            description: "Load reports written to the assignment registry (ok) or not (failed)");
    }

    /// <summary>One report written.</summary>
    public void Reported() => Interlocked.Increment(ref _ok);

    /// <summary>One report that did not reach Redis.</summary>
    public void Failed() => Interlocked.Increment(ref _failed);
}

using System.Diagnostics.Metrics;
using LiveIm.Hosting.Bus;
using LiveIm.Hosting.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;

namespace LiveIm.Hosting.Tests;

/// <summary>A <see cref="NatsMessageBus"/> with the product's options (optionally changed) and a connection it owns.</summary>
public sealed class TestBus : IAsyncDisposable
{
    private TestBus(NatsConnection connection)
    {
        Connection = connection;
        Metrics = new BackendMetrics();
        Bus = new NatsMessageBus(connection, Metrics);
    }

    public NatsConnection Connection { get; }

    public NatsMessageBus Bus { get; }

    public BackendMetrics Metrics { get; }

    /// <summary>A bus for <paramref name="settings"/> (or just <paramref name="url"/>), connected unless told otherwise.</summary>
    public static async Task<TestBus> StartAsync(
        string url, string name = "test", Func<NatsOpts, NatsOpts>? change = null, BusSettings? settings = null, bool connect = true)
    {
        settings ??= new BusSettings { Url = url };
        var opts = NatsBusOptions.Create(settings, name, NullLoggerFactory.Instance);
        var bus = new TestBus(new NatsConnection(change is null ? opts : change(opts)));
        if (connect)
        {
            await bus.Bus.ConnectAsync(CancellationToken.None);
        }

        return bus;
    }

    /// <summary>The current value of one of <see cref="BackendMetrics"/>' observable counters.</summary>
    public long Counter(string instrument)
    {
        long value = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (ReferenceEquals(i.Meter, Metrics.Meter) && i.Name == instrument)
            {
                l.EnableMeasurementEvents(i);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, v, _, _) => value = v);
        listener.Start();
        listener.RecordObservableInstruments();
        return value;
    }

    public async ValueTask DisposeAsync()
    {
        await Bus.DisposeAsync();
        await Connection.DisposeAsync();
        Metrics.Dispose();
    }
}

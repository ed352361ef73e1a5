using LiveIm.Core.Bus;
using LiveIm.Hosting.Bus;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;

namespace LiveIm.IntegrationTests;

/// <summary>
/// A bus connection of the test's own (a tap on a room subject, a forger of requests), through the product's adapter
/// over the official client with the product's options: what it sends is what a gateway or RoomService would send.
/// </summary>
public sealed class TestBus : IAsyncDisposable
{
    private readonly NatsConnection _connection;

    private TestBus(NatsConnection connection)
    {
        _connection = connection;
        Bus = new NatsMessageBus(connection);
    }

    /// <summary>The adapter.</summary>
    public NatsMessageBus Bus { get; }

    /// <summary>Connects to <paramref name="url"/> as <paramref name="name"/> (it shows in the server's <c>/connz</c>).</summary>
    public static async Task<TestBus> ConnectAsync(string url, string name)
    {
        var bus = new TestBus(new NatsConnection(NatsBusOptions.Create(new BusSettings { Url = url }, name, NullLoggerFactory.Instance)));
        await bus.Bus.ConnectAsync(CancellationToken.None);
        return bus;
    }

    /// <inheritdoc cref="IMessageBus.PublishAsync"/>
    public ValueTask PublishAsync(string subject, ReadOnlyMemory<byte> payload) => Bus.PublishAsync(subject, payload);

    /// <inheritdoc cref="IMessageBus.RequestAsync"/>
    public Task<ReadOnlyMemory<byte>> RequestAsync(string subject, ReadOnlyMemory<byte> payload, TimeSpan timeout) => Bus.RequestAsync(subject, payload, timeout);

    /// <inheritdoc cref="IMessageBus.SubscribeAsync"/>
    public ValueTask<IAsyncDisposable> SubscribeAsync(string subject, Func<BusMessage, ValueTask> handler) =>
        Bus.SubscribeAsync(subject, queueGroup: null, handler);

    public async ValueTask DisposeAsync()
    {
        await Bus.DisposeAsync();
        await _connection.DisposeAsync();
    }
}

using LiveIm.Nats.Internal;

namespace LiveIm.Nats;

/// <summary>PUB and HPUB.</summary>
public sealed partial class NatsConnection
{
    /// <inheritdoc />
    public ValueTask PublishAsync(
        string subject,
        ReadOnlyMemory<byte> payload,
        string? replyTo = null,
        NatsHeaders? headers = null,
        CancellationToken cancellationToken = default)
    {
        Subjects.ValidateForPublish(subject, nameof(subject));
        if (replyTo is not null)
        {
            Subjects.ValidateToken(replyTo, nameof(replyTo));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var connection = ConnectedOrThrow();
        if (headers is not null && connection.Info is { HeadersSupported: false })
        {
            throw new NatsException($"Server {connection.Address.Display} does not support headers.");
        }

        // Checked here rather than left to the server: it answers an oversize PUB with -ERR and closes the
        // connection, which would take every other publisher and subscription down with it.
        var headerLength = headers?.GetWireLength() ?? 0;
        var size = (long)headerLength + payload.Length;
        var maxPayload = MaxPayload;
        if (size > maxPayload)
        {
            throw new NatsPayloadTooLargeException(
                $"Message to '{subject}' is {size} bytes (headers included); the server accepts at most {maxPayload}.");
        }

        // Fast path: room in the write buffer, so the bytes are copied now and the call completes synchronously.
        var capacity = connection.Writer.WaitForCapacityAsync(cancellationToken);
        if (capacity.IsCompletedSuccessfully)
        {
            Write(connection, subject, replyTo, headers, headerLength, payload.Span);
            return default;
        }

        return PublishWhenDrainedAsync(capacity, connection, subject, replyTo, headers, headerLength, payload);
    }

    private static async ValueTask PublishWhenDrainedAsync(
        ValueTask capacity, ServerConnection connection, string subject, string? replyTo, NatsHeaders? headers, int headerLength, ReadOnlyMemory<byte> payload)
    {
        await capacity.ConfigureAwait(false);
        Write(connection, subject, replyTo, headers, headerLength, payload.Span);
    }

    private static void Write(ServerConnection connection, string subject, string? replyTo, NatsHeaders? headers, int headerLength, ReadOnlySpan<byte> payload)
    {
        if (!connection.Writer.TryWritePublish(subject, replyTo, headers, headerLength, payload))
        {
            // The socket died between the state check and the write.
            throw new NatsNotConnectedException("The connection to the server was lost.");
        }
    }
}

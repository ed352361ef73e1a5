namespace LiveIm.Nats;

/// <summary>PING/PONG: round trips, flush, and stale connection detection.</summary>
public sealed partial class NatsConnection
{
    /// <inheritdoc />
    public Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        return ConnectedOrThrow().PingAsync().WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        // The server handles a connection's commands in order, so its PONG means everything before was processed.
        await PingAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a PING every <see cref="NatsOptions.PingInterval"/>; when <see cref="NatsOptions.MaxPingsOut"/> are
    /// unanswered the server (or the path to it) is gone without a FIN, so the socket is aborted and reconnected.
    /// </summary>
    private async Task KeepAliveAsync(Internal.ServerConnection connection)
    {
        using var timer = new PeriodicTimer(_options.PingInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(connection.Closing).ConfigureAwait(false))
            {
                if (!connection.TrySendKeepAlive(_options.MaxPingsOut))
                {
                    Log.StaleConnection(_logger, connection.Address.Display, _options.MaxPingsOut);
                    connection.Abort(new NatsException(
                        $"Stale connection: {_options.MaxPingsOut} PINGs to {connection.Address.Display} were not answered."));
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The connection ended; its supervisor takes it from here.
        }
    }
}

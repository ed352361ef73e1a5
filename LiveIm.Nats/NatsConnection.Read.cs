using System.IO.Pipelines;
using LiveIm.Nats.Internal;

namespace LiveIm.Nats;

/// <summary>The socket reader: parses server operations and routes them. It never runs user code.</summary>
public sealed partial class NatsConnection
{
    /// <summary>
    /// Read buffer size: 64 KiB holds hundreds of typical room events, so one read usually yields many
    /// operations; a larger message simply spans several reads.
    /// </summary>
    private const int ReadBufferSize = 64 * 1024;

    private async Task ReadLoopAsync(ServerConnection connection)
    {
        var reader = PipeReader.Create(connection.Stream, new StreamPipeReaderOptions(bufferSize: ReadBufferSize, leaveOpen: true));
        Exception reason;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(connection.Closing).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (NatsParser.TryParse(ref buffer, out var op))
                {
                    Dispatch(connection, op);
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    reason = new NatsNotConnectedException($"The server {connection.Address.Display} closed the connection.");
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            // Cancellation here means someone else aborted the connection first; their reason wins in Abort.
            reason = ex;
        }

        await reader.CompleteAsync().ConfigureAwait(false);

        // A server that says -ERR and then hangs up: the -ERR explains the hang-up better than the socket does.
        connection.Abort(connection.LastServerError is { } error
            ? new NatsServerErrorException(error.Message, reason)
            : reason);
    }

    private void Dispatch(ServerConnection connection, in ServerOp op)
    {
        switch (op.Kind)
        {
            case ServerOpKind.Msg:
                if (_subscriptions.TryGetValue(op.Sid, out var subscription)
                    && subscription.Deliver(new NatsMsg(op.Subject!, op.ReplyTo, op.Payload, op.Headers)))
                {
                    // UNSUB max reached: the server has dropped the subscription on its side.
                    RemoveSubscription(subscription);
                }

                break;

            case ServerOpKind.Ping:
                // Servers PING idle clients and drop those that stay silent (their own stale detection).
                connection.Writer.TryWriteRaw(ProtocolStrings.PongLine);
                break;

            case ServerOpKind.Pong:
                connection.OnPong();
                break;

            case ServerOpKind.Info:
                var info = ServerInfo.Parse(op.Text!);
                connection.OnInfo(info);
                if (connection.HandshakeComplete)
                {
                    OnInfo(info);
                }

                break;

            case ServerOpKind.Err:
                Log.ServerError(_logger, connection.Address.Display, op.Text!);
                connection.OnServerError(new NatsServerErrorException($"Server {connection.Address.Display} error: '{op.Text}'."));
                break;

            case ServerOpKind.Ok:
                // Only sent in verbose mode, which we turn off; nothing waits for it.
                break;
        }
    }
}

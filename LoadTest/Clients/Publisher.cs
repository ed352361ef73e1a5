using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace LiveIm.LoadTest.Clients;

/// <summary>
/// A sending member of the bench room, on the official SignalR client (<see cref="HubConnection"/>, WebSockets, no
/// negotiate): joins the room, then sends chat lines and gifts on the schedule's command, many invocations in flight
/// at once.
/// </summary>
internal sealed class Publisher : IAsyncDisposable
{
    /// <summary>
    /// Invocations in flight per publisher. The stock hub runs one hub invocation per connection at a time (SignalR's
    /// MaximumParallelInvocationsPerClient = 1), so more in flight only queues at the server (the LiveIm target is
    /// configured to run all 127, see LiveImTarget: its gateway refuses what it cannot run); 127 keeps the pipe full
    /// at any rate that passes (4 publishers x 127 calls is 500 lines/s at a 1 s round trip) while bounding what a
    /// stalled server can pile up.
    /// </summary>
    private const int MaxInFlight = 127;

    private readonly HubConnection _connection;
    private readonly SemaphoreSlim _inFlight = new(MaxInFlight, MaxInFlight);
    private string? _lastError;
    private volatile Echo? _echo;

    private Publisher(HubConnection connection)
    {
        _connection = connection;

        // Always a handler: a frame for a method without one costs the official client a binding failure (an
        // exception) per frame, and a publisher is a room member receiving every frame of the room.
        _connection.On<JsonElement>("events", batch =>
        {
            if (_echo is { } echo && batch.GetRawText().Contains(echo.Text, StringComparison.Ordinal))
            {
                echo.Seen.TrySetResult();
            }
        });
    }

    /// <summary>The last send error, if any.</summary>
    public string? LastError => _lastError;

    /// <summary>Connects to <paramref name="hubUrl"/> (with <paramref name="accessToken"/> when given) and joins the room.</summary>
    public static async Task<Publisher> ConnectAsync(Uri hubUrl, string? accessToken, string roomId, CancellationToken cancellationToken)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(hubUrl, HttpTransportType.WebSockets, http =>
            {
                http.SkipNegotiation = true;
                if (accessToken is not null)
                {
                    http.AccessTokenProvider = () => Task.FromResult<string?>(accessToken);
                }
            })
            .Build();

        // Long join storms can pass without a server frame on a quiet target; the run decides when a target is dead.
        // (Not InfiniteTimeSpan: the official client adds it to a timestamp.)
        connection.ServerTimeout = TimeSpan.FromHours(1);
        try
        {
            await connection.StartAsync(cancellationToken).ConfigureAwait(false);
            await connection.InvokeCoreAsync<JsonElement>("JoinRoom", [roomId, null], cancellationToken).ConfigureAwait(false);
            return new Publisher(connection);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Sends one chat line; false (and <see cref="LastError"/>) when the server refused or did not answer.</summary>
    public Task<bool> SendChatAsync(string text, CancellationToken cancellationToken) =>
        InvokeAsync("SendChat", [text], cancellationToken);

    /// <summary>Sends one gift of count 1.</summary>
    public Task<bool> SendGiftAsync(string giftId, string clientMsgId, CancellationToken cancellationToken) =>
        InvokeAsync("SendGift", [giftId, 1, clientMsgId], cancellationToken);

    /// <summary>
    /// Sends <paramref name="text"/> and waits until an <c>events</c> frame carrying it comes back (proof that the
    /// whole path works: for LiveIm gateway → RoomService → NATS → gateway).
    /// </summary>
    public async Task<bool> RoundTripAsync(string text, TimeSpan timeout)
    {
        var echo = new Echo(text);
        _echo = echo;
        using var deadline = new CancellationTokenSource(timeout);
        if (!await SendChatAsync(text, deadline.Token).ConfigureAwait(false))
        {
            return false;
        }

        try
        {
            await echo.Seen.Task.WaitAsync(deadline.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        finally
        {
            _echo = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // _inFlight is not disposed: abandoned invocations may still release it. It holds no wait handle.
        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<bool> InvokeAsync(string method, object?[] args, CancellationToken cancellationToken)
    {
        try
        {
            await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _lastError = $"{method}: not sent before the step ended ({MaxInFlight} invocations were in flight)";
            return false;
        }

        try
        {
            await _connection.InvokeCoreAsync<JsonElement>(method, args, cancellationToken).ConfigureAwait(false);
            return true;
        }
#pragma warning disable CA1031 // A failed send is counted by the schedule; the message goes into the report.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _lastError = $"{method}: {ex.Message}";
            return false;
        }
        finally
        {
            _inFlight.Release();
        }
    }

    /// <summary>A chat line <see cref="RoundTripAsync"/> waits to see come back.</summary>
    private sealed record Echo(string Text)
    {
        public TaskCompletionSource Seen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

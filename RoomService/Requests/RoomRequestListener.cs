using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LiveIm.Core.Bus;
using LiveIm.Core.Bus.Contracts;
using LiveIm.Core.Errors;
using LiveIm.Core.Serialization;
using LiveIm.Core.Stores;
using LiveIm.RoomService.Events;
using LiveIm.RoomService.Metrics;
using LiveIm.RoomService.Moderation;
using LiveIm.RoomService.Stores;
using LiveIm.RoomService.StreamClock;

namespace LiveIm.RoomService.Requests;

/// <summary>
/// Serves the gateways' requests (<c>liveim.svc.*</c>) as a member of the queue group
/// <see cref="Subjects.ServiceQueueGroup"/>: each request is handled by exactly one RoomService instance,
/// so RoomService scales out by starting more of it.
/// </summary>
public sealed partial class RoomRequestListener : BackgroundService
{
    /// <summary>
    /// Requests handled at once per instance. A request spends ~1-2 Redis and bus round trips (~0.2-1 ms on a LAN)
    /// waiting, not computing, so a few hundred in flight keep two cores busy without unbounded memory under a storm.
    /// </summary>
    private const int MaxConcurrentRequests = 512;

    private readonly IMessageBus _bus;
    private readonly RoomInteractions _interactions;
    private readonly RoomQueries _queries;
    private readonly RoomModeration _moderation;
    private readonly RoomStreamClock _clock;
    private readonly ILogger<RoomRequestListener> _logger;
    private readonly RoomServiceMetrics _metrics;
    private readonly SemaphoreSlim _slots = new(MaxConcurrentRequests);
    private readonly List<IAsyncDisposable> _subscriptions = new();

    public RoomRequestListener(
        IMessageBus bus, RoomInteractions interactions, RoomQueries queries, RoomModeration moderation, RoomStreamClock clock,
        ILogger<RoomRequestListener> logger, RoomServiceMetrics metrics)
    {
        _metrics = metrics;
        _clock = clock;
        _bus = bus;
        _interactions = interactions;
        _queries = queries;
        _moderation = moderation;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var json = LiveImJson.Default;
        await Serve(Subjects.Chat, json.ChatRequest, json.BusReplyChatReply, _interactions.SendChatAsync, stoppingToken);
        await Serve(Subjects.Gift, json.GiftRequest, json.BusReplyGiftReply, _interactions.SendGiftAsync, stoppingToken);
        await Serve(Subjects.Like, json.LikeRequest, json.BusReplyLikeReply, _interactions.SendLikeAsync, stoppingToken);
        await Serve(Subjects.Join, json.JoinRequest, json.BusReplyJoinReply, _queries.JoinAsync, stoppingToken);
        await Serve(Subjects.History, json.HistoryRequest, json.BusReplyHistoryReply, _queries.HistoryAsync, stoppingToken);
        await Serve(Subjects.Moderate, json.ModerateRequest, json.BusReplyModerateReply, _moderation.ModerateAsync, stoppingToken);
        await Serve(Subjects.Clock, json.ClockRequest, json.BusReplyClockReply, _clock.ReportFromBusAsync, stoppingToken);
        LogListening(_subscriptions.Count);
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }

        foreach (var subscription in _subscriptions)
        {
            await subscription.DisposeAsync();
        }
    }

    private async Task Serve<TRequest, TReply>(
        string subject,
        JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<BusReply<TReply>> replyType,
        Func<TRequest, CancellationToken, Task<TReply>> handle,
        CancellationToken stoppingToken)
        where TRequest : class
        where TReply : class
    {
        var subscription = await _bus.SubscribeAsync(subject, Subjects.ServiceQueueGroup, async message =>
        {
            if (message.ReplyTo is null)
            {
                return;
            }

            // The subscription delivers in order; the work itself runs concurrently up to the slot limit, so one
            // slow Redis call does not hold every other room's requests behind it.
            await _slots.WaitAsync(stoppingToken);
            _ = Task.Run(async () =>
            {
                try
                {
                    var start = System.Diagnostics.Stopwatch.GetTimestamp();
                    var reply = await Handle(message, requestType, handle, stoppingToken);
                    _metrics.Request(subject, reply.Error?.Code ?? RoomServiceMetrics.Ok, System.Diagnostics.Stopwatch.GetElapsedTime(start));
                    if (reply.Error is { Code: ErrorCodes.RateLimited } limited)
                    {
                        _metrics.RateLimited(limited.Message);
                    }

                    await _bus.PublishAsync(message.ReplyTo, JsonSerializer.SerializeToUtf8Bytes(reply, replyType), stoppingToken);
                }
                catch (Exception ex) when (ex is BusUnavailableException or OperationCanceledException)
                {
                    // The gateway times out and reports unavailable; nothing else to do here.
                    LogReplyFailed(subject, ex.Message);
                }
                finally
                {
                    _slots.Release();
                }
            }, CancellationToken.None);
        }, stoppingToken);
        _subscriptions.Add(subscription);
    }

    private async Task<BusReply<TReply>> Handle<TRequest, TReply>(
        BusMessage message, JsonTypeInfo<TRequest> requestType, Func<TRequest, CancellationToken, Task<TReply>> handle, CancellationToken ct)
        where TRequest : class
        where TReply : class
    {
        try
        {
            TRequest? request;
            try
            {
                request = JsonSerializer.Deserialize(message.Data.Span, requestType);
            }
            catch (JsonException ex)
            {
                throw new RoomException(ErrorCodes.InvalidArgument, "malformed request: " + ex.Message);
            }

            if (request is null)
            {
                throw new RoomException(ErrorCodes.InvalidArgument, "empty request");
            }

            return BusReply<TReply>.Ok(await handle(request, ct));
        }
        catch (RoomException ex)
        {
            return BusReply<TReply>.Fail(ex);
        }
        catch (StoreUnavailableException ex)
        {
            LogStoreUnavailable(message.Subject, ex.Message);
            return BusReply<TReply>.Fail(new RoomException(ErrorCodes.Unavailable, "the room store is unavailable"));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogUnexpected(ex, message.Subject);
            return BusReply<TReply>.Fail(new RoomException(ErrorCodes.Unavailable, "internal error"));
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Serving {Count} request subjects in queue group " + Subjects.ServiceQueueGroup)]
    private partial void LogListening(int count);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Request on {Subject} failed: store unavailable ({Reason})")]
    private partial void LogStoreUnavailable(string subject, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Request on {Subject} failed unexpectedly")]
    private partial void LogUnexpected(Exception ex, string subject);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Reply on {Subject} not sent: {Reason}")]
    private partial void LogReplyFailed(string subject, string reason);
}

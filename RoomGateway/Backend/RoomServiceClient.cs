using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LiveIm.Core.Bus;
using LiveIm.Core.Bus.Contracts;
using LiveIm.Core.Errors;
using LiveIm.Core.Serialization;
using LiveIm.Hosting.Bus;

namespace LiveIm.RoomGateway.Backend;

/// <summary>
/// The gateway's calls to RoomService: NATS request/reply to the <c>liveim.svc.*</c> subjects (a queue group, so
/// any RoomService instance answers). Bus trouble becomes <c>unavailable</c> at once; RoomService's own error codes
/// pass through unchanged.
/// </summary>
public sealed class RoomServiceClient
{
    private readonly IMessageBus _bus;
    private readonly TimeSpan _timeout;

    public RoomServiceClient(IMessageBus bus, BusSettings settings)
    {
        _bus = bus;
        _timeout = settings.RequestTimeout;
    }

    public Task<ChatReply> SendChatAsync(ChatRequest request, CancellationToken ct) =>
        Call(Subjects.Chat, request, LiveImJson.Default.ChatRequest, LiveImJson.Default.BusReplyChatReply, ct);

    public Task<GiftReply> SendGiftAsync(GiftRequest request, CancellationToken ct) =>
        Call(Subjects.Gift, request, LiveImJson.Default.GiftRequest, LiveImJson.Default.BusReplyGiftReply, ct);

    public Task<LikeReply> SendLikeAsync(LikeRequest request, CancellationToken ct) =>
        Call(Subjects.Like, request, LiveImJson.Default.LikeRequest, LiveImJson.Default.BusReplyLikeReply, ct);

    public Task<JoinReply> JoinAsync(JoinRequest request, CancellationToken ct) =>
        Call(Subjects.Join, request, LiveImJson.Default.JoinRequest, LiveImJson.Default.BusReplyJoinReply, ct);

    public Task<HistoryReply> HistoryAsync(HistoryRequest request, CancellationToken ct) =>
        Call(Subjects.History, request, LiveImJson.Default.HistoryRequest, LiveImJson.Default.BusReplyHistoryReply, ct);

    public Task<ModerateReply> ModerateAsync(ModerateRequest request, CancellationToken ct) =>
        Call(Subjects.Moderate, request, LiveImJson.Default.ModerateRequest, LiveImJson.Default.BusReplyModerateReply, ct);

    public Task<ClockReply> ReportClockAsync(ClockRequest request, CancellationToken ct) =>
        Call(Subjects.Clock, request, LiveImJson.Default.ClockRequest, LiveImJson.Default.BusReplyClockReply, ct);

    private async Task<TReply> Call<TRequest, TReply>(
        string subject, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<BusReply<TReply>> replyType, CancellationToken ct)
        where TReply : class
    {
        ReadOnlyMemory<byte> raw;
        try
        {
            raw = await _bus.RequestAsync(subject, JsonSerializer.SerializeToUtf8Bytes(request, requestType), _timeout, ct);
        }
        catch (BusUnavailableException ex)
        {
            throw new RoomException(ErrorCodes.Unavailable, "room service unreachable: " + ex.Message);
        }

        BusReply<TReply>? reply;
        try
        {
            reply = JsonSerializer.Deserialize(raw.Span, replyType);
        }
        catch (JsonException)
        {
            reply = null;
        }

        return (reply ?? throw new RoomException(ErrorCodes.Unavailable, "malformed reply from room service")).Unwrap();
    }
}

using LiveIm.Core.Events;

namespace LiveIm.Core.Bus.Contracts;

/// <summary>Gateway → RoomService on <see cref="Subjects.Gift"/>. <paramref name="ClientMsgId"/> makes retries idempotent per sender.</summary>
public sealed record GiftRequest(string RoomId, EventSender From, string GiftId, int Count, string ClientMsgId);

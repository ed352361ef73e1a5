using LiveIm.Core.Events;

namespace LiveIm.Core.Bus.Contracts;

/// <summary>Gateway → RoomService on <see cref="Subjects.Like"/>.</summary>
public sealed record LikeRequest(string RoomId, EventSender From, int Count);

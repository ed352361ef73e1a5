using LiveIm.Core.Events;

namespace LiveIm.Core.Bus.Contracts;

/// <summary>Gateway → RoomService on <see cref="Subjects.Chat"/>. The gateway vouches for <paramref name="From"/> (it verified the token).</summary>
public sealed record ChatRequest(string RoomId, EventSender From, string Text);

namespace LiveIm.Core.Bus.Contracts;

/// <summary>Gateway → RoomService on <see cref="Subjects.History"/>: reliable events with seq &gt; <paramref name="AfterSeq"/>.</summary>
public sealed record HistoryRequest(string RoomId, long AfterSeq, int Limit);

namespace LiveIm.LoadTest.Fanout;

/// <summary>The names targets have on the command line and in the reports.</summary>
public static class TargetNames
{
    /// <summary>Every target by its name, in the order <c>--help</c> lists them.</summary>
    public static IReadOnlyList<(string Name, TargetKind Kind)> All { get; } =
    [
        ("liveim", TargetKind.LiveIm), ("signalr", TargetKind.SignalR), ("raw", TargetKind.Raw), ("liveim-msgpack", TargetKind.LiveImMessagePack),
    ];

    /// <summary><c>liveim</c>, <c>signalr</c>, <c>raw</c>, <c>liveim-msgpack</c>.</summary>
    public static string Name(this TargetKind kind) => All.First(t => t.Kind == kind).Name;

    /// <summary>The kind named <paramref name="name"/> (any case), or null.</summary>
    public static TargetKind? Parse(string name) =>
        All.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase)) is { Name: not null } found ? found.Kind : null;

    /// <summary>True for the targets that run LiveIm (either protocol).</summary>
    public static bool IsLiveIm(this TargetKind kind) => kind is TargetKind.LiveIm or TargetKind.LiveImMessagePack;
}

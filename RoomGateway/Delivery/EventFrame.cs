using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace LiveIm.RoomGateway.Delivery;

/// <summary>
/// Builds the SignalR JSON frame of an <c>events(batch)</c> invocation straight from the events' wire JSON:
/// <c>{"type":1,"target":"events","arguments":[[e1,e2,...]]}</c> + 0x1E. Built once per room delivery and the same
/// bytes written to every member (nothing is serialized per connection).
/// </summary>
public static class EventFrame
{
    /// <summary>The hub protocol the frames are in (the only one the gateway enables).</summary>
    public const string ProtocolName = "json";

    private static readonly byte[] Prefix = """{"type":1,"target":"events","arguments":[["""u8.ToArray();
    private static readonly byte[] Suffix = "]]}\u001e"u8.ToArray();

    /// <summary>A frame carrying <paramref name="events"/> (each a complete event JSON object), in order.</summary>
    public static SerializedHubMessage Build(IReadOnlyList<ReadOnlyMemory<byte>> events)
    {
        var length = Prefix.Length + Suffix.Length + Math.Max(0, events.Count - 1);
        foreach (var e in events)
        {
            length += e.Length;
        }

        var bytes = new byte[length];
        var span = bytes.AsSpan();
        Prefix.CopyTo(span);
        var at = Prefix.Length;
        for (var i = 0; i < events.Count; i++)
        {
            if (i > 0)
            {
                span[at++] = (byte)',';
            }

            events[i].Span.CopyTo(span[at..]);
            at += events[i].Length;
        }

        Suffix.CopyTo(span[at..]);
        return new SerializedHubMessage(new[] { new SerializedMessage(ProtocolName, bytes) });
    }

    /// <summary>A frame carrying one event.</summary>
    public static SerializedHubMessage Single(ReadOnlyMemory<byte> e) => Build(new[] { e });
}

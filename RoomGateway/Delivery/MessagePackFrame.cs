using System.Buffers;
using LiveIm.Core.Serialization;
using MessagePack;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace LiveIm.RoomGateway.Delivery;

/// <summary>
/// A room frame in the MessagePack hub protocol: the invocation <c>events([e1, e2, ...])</c> whose events are the maps
/// of their wire JSON (<see cref="MessagePackJson"/>: same keys, same values), after SignalR's VarInt length.
/// </summary>
/// <remarks>
/// What surrounds the events (the invocation's array header, type, headers, invocation id, target, arguments
/// header, stream ids) is taken once from the real <see cref="MessagePackHubProtocol"/> writing the invocation with a
/// marker argument, so the frame is what SignalR would write for the same call, whatever its version writes there.
/// </remarks>
internal static class MessagePackFrame
{
    /// <summary>Bytes before the payload for its VarInt length (at most 5: SignalR caps a record at 2 GB).</summary>
    public const int MaxLengthPrefix = 5;

    private static readonly byte[] Head;
    private static readonly byte[] Tail;

    static MessagePackFrame()
    {
        const string marker = "\u0001liveim-events-marker\u0001";
        var markerBytes = new ArrayBufferWriter<byte>();
        var markerWriter = new MessagePackWriter(markerBytes);
        markerWriter.Write(marker);
        markerWriter.Flush();

        var message = new MessagePackHubProtocol().GetMessageBytes(new InvocationMessage("events", [marker])).ToArray();
        var payloadStart = 0;
        while ((message[payloadStart++] & 0x80) != 0)
        {
        }

        var at = message.AsSpan(payloadStart).IndexOf(markerBytes.WrittenSpan);
        if (at < 0)
        {
            throw new InvalidOperationException("the MessagePack hub protocol did not write its argument as a string");
        }

        Head = message.AsSpan(payloadStart, at).ToArray();
        Tail = message.AsSpan(payloadStart + at + markerBytes.WrittenCount).ToArray();
    }

    /// <summary>
    /// Builds the frame into a pooled array (the caller returns it to <see cref="ArrayPool{T}.Shared"/>): the frame is
    /// <c>buffer[start..(start + length)]</c>.
    /// </summary>
    public static byte[] Build(IReadOnlyList<TickEvent> events, out int start, out int length)
    {
        // A MessagePack event is never bigger than its JSON by more than a few header bytes (it drops quotes, colons,
        // commas and digits), so the JSON size is a good first array.
        var estimate = MaxLengthPrefix + Head.Length + 5 + Tail.Length;
        foreach (var e in events)
        {
            estimate += e.Json.Length;
        }

        var output = new PooledBufferWriter(estimate, MaxLengthPrefix);
        var writer = new MessagePackWriter(output);
        writer.WriteRaw(Head);
        writer.WriteArrayHeader(events.Count);
        foreach (var e in events)
        {
            MessagePackJson.WriteJson(e.Json.Span, ref writer);
        }

        writer.WriteRaw(Tail);
        writer.Flush();
        var buffer = output.Detach(out var written);

        // The VarInt length goes right before the payload, in the reserved bytes.
        var payload = written - MaxLengthPrefix;
        var prefix = 1;
        for (var rest = payload >> 7; rest > 0; rest >>= 7)
        {
            prefix++;
        }

        start = MaxLengthPrefix - prefix;
        var value = (uint)payload;
        for (var i = 0; i < prefix; i++)
        {
            buffer[start + i] = (byte)((value & 0x7f) | (i < prefix - 1 ? 0x80u : 0u));
            value >>= 7;
        }

        length = prefix + payload;
        return buffer;
    }
}

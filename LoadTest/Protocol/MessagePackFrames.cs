using System.Buffers.Binary;
using System.Text;

namespace LiveIm.LoadTest.Protocol;

/// <summary>
/// The SignalR MessagePack hub protocol records the lean receivers send (handshake, join, ping), written by hand:
/// each record is a MessagePack array after a VarInt length.
/// Spec: https://github.com/dotnet/aspnetcore/blob/main/src/SignalR/docs/specs/HubProtocol.md (MessagePack encoding)
/// </summary>
public static class MessagePackFrames
{
    /// <summary>The handshake is JSON on every protocol: only the name differs.</summary>
    public static readonly byte[] HandshakeRequest = "{\"protocol\":\"messagepack\",\"version\":1}\u001e"u8.ToArray();

    /// <summary><c>[6]</c>: a ping.</summary>
    public static readonly byte[] Ping = [0x02, 0x91, 0x06];

    /// <summary>
    /// <c>[1, {}, "1", "JoinRoom", [roomId, lastSeq], []]</c>: invocation type, no headers, invocation id
    /// <see cref="SignalRFrames.JoinInvocationId"/>, target, arguments (lastSeq nil for a fresh join), no streams.
    /// </summary>
    public static byte[] JoinRoom(string roomId, long? lastSeq = null)
    {
        var payload = new List<byte> { 0x96, 0x01, 0x80 };
        String(payload, SignalRFrames.JoinInvocationId);
        String(payload, "JoinRoom");
        payload.Add(0x92);
        String(payload, roomId);
        if (lastSeq is { } seq)
        {
            payload.Add(0xd3); // int 64
            Span<byte> value = stackalloc byte[8];
            BinaryPrimitives.WriteInt64BigEndian(value, seq);
            payload.AddRange(value.ToArray());
        }
        else
        {
            payload.Add(0xc0);
        }

        payload.Add(0x90);
        return [.. LengthPrefix(payload.Count), .. payload];
    }

    /// <summary>SignalR's VarInt: 7 bits a byte, low bits first, the high bit set on every byte but the last.</summary>
    public static byte[] LengthPrefix(int length)
    {
        var prefix = new List<byte>(5);
        var rest = (uint)length;
        do
        {
            var b = (byte)(rest & 0x7f);
            rest >>= 7;
            prefix.Add(rest > 0 ? (byte)(b | 0x80) : b);
        }
        while (rest > 0);
        return [.. prefix];
    }

    // Room ids and the method name are ASCII and short: fixstr (< 32 bytes) or str 8.
    private static void String(List<byte> to, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length < 32)
        {
            to.Add((byte)(0xa0 | bytes.Length));
        }
        else
        {
            to.Add(0xd9);
            to.Add((byte)bytes.Length);
        }

        to.AddRange(bytes);
    }
}

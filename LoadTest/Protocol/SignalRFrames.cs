namespace LiveIm.LoadTest.Protocol;

/// <summary>
/// The SignalR JSON hub protocol literals the lean receivers and the raw server use, in one place.
/// Spec: https://github.com/dotnet/aspnetcore/blob/main/src/SignalR/docs/specs/HubProtocol.md
/// </summary>
public static class SignalRFrames
{
    /// <summary>The hub path every target serves.</summary>
    public const string HubPath = "/hubs/room";

    /// <summary>The client method room events arrive on.</summary>
    public const string EventsTarget = "events";

    /// <summary>"the client must send a HandshakeRequest message to the server as its first message".</summary>
    public static readonly byte[] HandshakeRequest = "{\"protocol\":\"json\",\"version\":1}\u001e"u8.ToArray();

    /// <summary>An empty HandshakeResponse: "{}" means success.</summary>
    public static readonly byte[] HandshakeResponse = "{}\u001e"u8.ToArray();

    /// <summary>"Ping messages do not have any payload": sent every 15 s so the server's 30 s client timeout never fires.</summary>
    public static readonly byte[] Ping = "{\"type\":6}\u001e"u8.ToArray();

    /// <summary>Invocation id of the receivers' JoinRoom (their only invocation).</summary>
    public const string JoinInvocationId = "1";

    /// <summary>
    /// Start of every event frame the three servers write: <c>{"type":1,"target":"events","arguments":[[</c>. The
    /// receivers only need the <c>"target":"events"</c> part near the start, whatever the property order.
    /// </summary>
    public static ReadOnlySpan<byte> EventsTargetProperty => "\"target\":\"events\""u8;

    /// <summary>The event property whose occurrences the receivers count: one per event in a frame.</summary>
    public static ReadOnlySpan<byte> LaneProperty => "\"lane\":\""u8;

    /// <summary>The gift property, searched after a <c>"lane":"gift"</c>.</summary>
    public static ReadOnlySpan<byte> GiftIdProperty => "\"giftId\":\""u8;

    /// <summary>
    /// <c>{"type":1,"invocationId":"1","target":"JoinRoom","arguments":["&lt;room&gt;",null]}</c> + 0x1E: a fresh
    /// join (lastSeq null). Room ids match <c>^[A-Za-z0-9_-]{1,64}$</c>, so nothing needs escaping.
    /// </summary>
    public static byte[] JoinRoom(string roomId) => JoinRoom(roomId, null);

    /// <summary>The same join resuming after <paramref name="lastSeq"/> (null: a fresh join).</summary>
    public static byte[] JoinRoom(string roomId, long? lastSeq) =>
        System.Text.Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{{\"type\":1,\"invocationId\":\"{JoinInvocationId}\",\"target\":\"JoinRoom\",\"arguments\":[\"{roomId}\",{(lastSeq is { } seq ? seq.ToString(System.Globalization.CultureInfo.InvariantCulture) : "null")}]}}\u001e"));
}

namespace LiveIm.SignalR.Protocol;

/// <summary>
/// Every literal of the SignalR JSON hub protocol and the negotiate exchange, in one place.
/// Specs: https://github.com/dotnet/aspnetcore/blob/main/src/SignalR/docs/specs/HubProtocol.md and
/// https://github.com/dotnet/aspnetcore/blob/main/src/SignalR/docs/specs/TransportProtocols.md
/// </summary>
internal static class HubProtocolConstants
{
    /// <summary>"All JSON messages must be terminated by the ASCII character <c>0x1E</c> (record separator)."</summary>
    public const byte RecordSeparator = 0x1E;

    // Message types. "type - A Number with the literal value N".
    public const int InvocationType = 1;
    public const int StreamItemType = 2;
    public const int CompletionType = 3;
    public const int StreamInvocationType = 4;
    public const int CancelInvocationType = 5;
    public const int PingType = 6;
    public const int CloseType = 7;

    // Fixed frames, kept as arrays because WebSocket.SendAsync takes ReadOnlyMemory and a u8 literal is only a span.

    /// <summary>"the client must send a HandshakeRequest message to the server as its first message": json, version 1.</summary>
    public static readonly byte[] HandshakeRequestFrame = "{\"protocol\":\"json\",\"version\":1}\u001e"u8.ToArray();

    /// <summary>"Ping messages do not have any payload": <c>{"type":6}</c>.</summary>
    public static readonly byte[] PingFrame = "{\"type\":6}\u001e"u8.ToArray();

    /// <summary>"Sent by the client when it's closing the connection, unlikely to contain an error": <c>{"type":7}</c>.</summary>
    public static readonly byte[] CloseFrame = "{\"type\":7}\u001e"u8.ToArray();

    // Hub message property names ("All property names are case-sensitive").
    public static ReadOnlySpan<byte> TypeProperty => "type"u8;
    public static ReadOnlySpan<byte> InvocationIdProperty => "invocationId"u8;
    public static ReadOnlySpan<byte> TargetProperty => "target"u8;
    public static ReadOnlySpan<byte> ArgumentsProperty => "arguments"u8;
    public static ReadOnlySpan<byte> ResultProperty => "result"u8;
    public static ReadOnlySpan<byte> ErrorProperty => "error"u8;
    public static ReadOnlySpan<byte> AllowReconnectProperty => "allowReconnect"u8;

    // How ASP.NET Core words a failed invocation's error (not in the spec; its ErrorMessageHelper):
    // "An unexpected error occurred invoking 'Method' on the server. HubException: <the hub's message>".
    public const string ServerErrorPrefix = "An unexpected error occurred invoking '";
    public const string ServerHubExceptionMarker = " on the server. HubException: ";

    /// <summary>Error sent back for a server-to-client invocation that expects a result; this client has no result handlers.</summary>
    public const string ClientResultsNotSupported = "Client does not support returning results.";

    // Negotiate ("POST [endpoint-base]/negotiate").
    public const string NegotiatePath = "negotiate";
    public const string NegotiateVersionQuery = "negotiateVersion=1";
    public const string ConnectionIdQuery = "id";
    public const string AccessTokenQuery = "access_token";
    public const string WebSocketsTransport = "WebSockets";
    public static ReadOnlySpan<byte> ConnectionTokenProperty => "connectionToken"u8;
    public static ReadOnlySpan<byte> ConnectionIdProperty => "connectionId"u8;
    public static ReadOnlySpan<byte> UrlProperty => "url"u8;
    public static ReadOnlySpan<byte> AccessTokenProperty => "accessToken"u8;
    public static ReadOnlySpan<byte> AvailableTransportsProperty => "availableTransports"u8;
    public static ReadOnlySpan<byte> TransportProperty => "transport"u8;
}

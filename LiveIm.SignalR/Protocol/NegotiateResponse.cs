using System.Text.Json;

namespace LiveIm.SignalR.Protocol;

/// <summary>
/// The body of <c>POST [endpoint-base]/negotiate</c>: a connection, a redirect or an error.
/// Spec: https://github.com/dotnet/aspnetcore/blob/main/src/SignalR/docs/specs/TransportProtocols.md#post-endpoint-basenegotiate-request
/// </summary>
internal sealed class NegotiateResponse
{
    /// <summary>"Version 1 ... The value of the connectionToken property will be used in the id query string".</summary>
    public string? ConnectionToken { get; private set; }

    /// <summary>"The connectionId which is the id by which other clients can refer to it" (and the id for version 0).</summary>
    public string? ConnectionId { get; private set; }

    /// <summary>Redirect: "The url which is the URL the client should connect to."</summary>
    public string? Url { get; private set; }

    /// <summary>Redirect: "an optional bearer token for accessing the specified url."</summary>
    public string? AccessToken { get; private set; }

    /// <summary>"A response that contains an error which should stop the connection attempt."</summary>
    public string? Error { get; private set; }

    /// <summary>Transport names from <c>availableTransports</c>; null when the field is absent.</summary>
    public List<string>? Transports { get; private set; }

    public static NegotiateResponse Parse(ReadOnlySpan<byte> json)
    {
        var response = new NegotiateResponse();
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new InvalidDataException("The negotiate response is not a JSON object.");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(HubProtocolConstants.ConnectionTokenProperty))
            {
                response.ConnectionToken = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals(HubProtocolConstants.ConnectionIdProperty))
            {
                response.ConnectionId = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals(HubProtocolConstants.UrlProperty))
            {
                response.Url = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals(HubProtocolConstants.AccessTokenProperty))
            {
                response.AccessToken = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals(HubProtocolConstants.ErrorProperty))
            {
                response.Error = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals(HubProtocolConstants.AvailableTransportsProperty))
            {
                response.Transports = ReadTransports(ref reader);
            }
            else
            {
                // "negotiateVersion", and whatever later versions add.
                reader.Read();
                reader.Skip();
            }
        }

        return response;
    }

    private static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
    }

    // "availableTransports":[{"transport":"WebSockets","transferFormats":["Text","Binary"]}, ...]
    private static List<string> ReadTransports(ref Utf8JsonReader reader)
    {
        var transports = new List<string>(3);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return transports;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals(HubProtocolConstants.TransportProperty))
                {
                    if (ReadString(ref reader) is { } name)
                    {
                        transports.Add(name);
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }

        return transports;
    }
}

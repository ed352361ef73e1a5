using System.Buffers.Text;
using System.Text.Json;

namespace LiveIm.SignalR.Protocol;

/// <summary>
/// Reads one JSON record (separator already removed) into a <see cref="HubMessage"/> with a single
/// <see cref="Utf8JsonReader"/> pass. Properties may come in any order; payload tokens (<c>arguments</c>,
/// <c>result</c>) are skipped and remembered by position, to be decoded only when someone wants them.
/// Spec: https://github.com/dotnet/aspnetcore/blob/main/src/SignalR/docs/specs/HubProtocol.md#json-encoding
/// </summary>
internal static class HubMessageParser
{
    /// <summary>Parses a hub message. Throws <see cref="InvalidDataException"/> or <see cref="JsonException"/> on malformed input.</summary>
    public static HubMessage Parse(ReadOnlySpan<byte> record)
    {
        // "each Message is represented as a single JSON object"
        var reader = new Utf8JsonReader(record);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new InvalidDataException("A hub message must be a JSON object.");
        }

        int type = 0;
        Range invocationId = default, target = default, arguments = default, result = default;
        bool hasInvocationId = false, hasArguments = false, hasResult = false;
        long invocationNumber = -1;
        string? escapedTarget = null, error = null;
        bool? allowReconnect = null;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(HubProtocolConstants.TypeProperty))
            {
                // "type - A Number with the literal value N"
                Next(ref reader, JsonTokenType.Number);
                type = reader.GetInt32();
            }
            else if (reader.ValueTextEquals(HubProtocolConstants.InvocationIdProperty))
            {
                // "invocationId - An optional String encoding the Invocation ID"
                Next(ref reader, JsonTokenType.String);
                hasInvocationId = true;
                invocationId = StringRange(ref reader);
                invocationNumber = !reader.ValueIsEscaped
                    && Utf8Parser.TryParse(reader.ValueSpan, out long number, out var consumed)
                    && consumed == reader.ValueSpan.Length ? number : -1;
            }
            else if (reader.ValueTextEquals(HubProtocolConstants.TargetProperty))
            {
                // "target - A String encoding the Target name"
                Next(ref reader, JsonTokenType.String);
                target = StringRange(ref reader);
                escapedTarget = reader.ValueIsEscaped ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals(HubProtocolConstants.ArgumentsProperty))
            {
                // "arguments - An Array containing arguments to apply to the method referred to in Target"
                Next(ref reader, JsonTokenType.StartArray);
                hasArguments = true;
                arguments = TokenRange(ref reader);
            }
            else if (reader.ValueTextEquals(HubProtocolConstants.ResultProperty))
            {
                // "result - A Token encoding the result value"
                reader.Read();
                hasResult = true;
                result = TokenRange(ref reader);
            }
            else if (reader.ValueTextEquals(HubProtocolConstants.ErrorProperty))
            {
                // "error - A String encoding the error message" (Completion and Close)
                reader.Read();
                error = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
            }
            else if (reader.ValueTextEquals(HubProtocolConstants.AllowReconnectProperty))
            {
                // "allowReconnect - An optional Boolean"
                reader.Read();
                allowReconnect = reader.GetBoolean();
            }
            else
            {
                // "headers", "item", "streamIds" and anything newer: "Clients and servers should disregard headers
                // they do not understand"; we disregard every field we have no use for.
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new InvalidDataException("A hub message must be a JSON object of properties.");
        }

        return new HubMessage
        {
            Type = type,
            InvocationId = invocationId,
            HasInvocationId = hasInvocationId,
            InvocationNumber = invocationNumber,
            Target = target,
            EscapedTarget = escapedTarget,
            Arguments = arguments,
            HasArguments = hasArguments,
            Result = result,
            HasResult = hasResult,
            Error = error,
            AllowReconnect = allowReconnect,
        };
    }

    /// <summary>
    /// Reads the handshake response: "HandshakeResponse ... containing an error if the server does not support the
    /// protocol". Returns the error, or null for success (<c>{}</c>).
    /// </summary>
    public static string? ParseHandshakeResponse(ReadOnlySpan<byte> record)
    {
        var reader = new Utf8JsonReader(record);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new InvalidDataException("The handshake response must be a JSON object.");
        }

        string? error = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(HubProtocolConstants.ErrorProperty))
            {
                reader.Read();
                error = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return error;
    }

    private static void Next(ref Utf8JsonReader reader, JsonTokenType expected)
    {
        if (!reader.Read() || reader.TokenType != expected)
        {
            throw new InvalidDataException($"Expected a JSON {expected} but found {reader.TokenType}.");
        }
    }

    /// <summary>Position of a string's content, quotes excluded; the reader reads a contiguous span so offsets are exact.</summary>
    private static Range StringRange(ref Utf8JsonReader reader)
    {
        var start = (int)reader.TokenStartIndex + 1;
        return new Range(start, start + reader.ValueSpan.Length);
    }

    /// <summary>Position of the current token including any nested content; leaves the reader on its last token.</summary>
    private static Range TokenRange(ref Utf8JsonReader reader)
    {
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return new Range(start, (int)reader.BytesConsumed);
    }
}

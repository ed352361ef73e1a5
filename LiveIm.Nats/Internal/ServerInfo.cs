using System.Text.Json;

namespace LiveIm.Nats.Internal;

/// <summary>The fields of the server's INFO we use (https://docs.nats.io/reference/reference-protocols/nats-protocol#info).</summary>
internal sealed record ServerInfo(
    string ServerId,
    string Version,
    long MaxPayload,
    bool HeadersSupported,
    bool AuthRequired,
    IReadOnlyList<string> ConnectUrls)
{
    /// <summary>The server's default max_payload (1 MiB), assumed until an INFO says otherwise.</summary>
    public const long DefaultMaxPayload = 1024 * 1024;

    /// <summary>Reads the JSON after <c>INFO </c>. Unknown fields are ignored, missing ones take defaults.</summary>
    public static ServerInfo Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var urls = new List<string>();
            if (root.TryGetProperty("connect_urls", out var connectUrls) && connectUrls.ValueKind == JsonValueKind.Array)
            {
                foreach (var url in connectUrls.EnumerateArray())
                {
                    if (url.ValueKind == JsonValueKind.String && url.GetString() is { Length: > 0 } text)
                    {
                        urls.Add(text);
                    }
                }
            }

            return new ServerInfo(
                String(root, "server_id") ?? string.Empty,
                String(root, "version") ?? string.Empty,
                root.TryGetProperty("max_payload", out var max) && max.TryGetInt64(out var maxPayload) ? maxPayload : DefaultMaxPayload,
                Bool(root, "headers"),
                Bool(root, "auth_required"),
                urls);
        }
        catch (JsonException ex)
        {
            throw new NatsException("Protocol error: INFO is not valid JSON.", ex);
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool Bool(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
}

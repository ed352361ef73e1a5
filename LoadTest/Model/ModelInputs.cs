using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LiveIm.LoadTest.Fanout;

namespace LiveIm.LoadTest.Model;

/// <summary>
/// The measured figures the capacity model stands on (docs/capacity.md), each with where it was measured. A figure
/// without a value is one nobody has measured yet: the model prints what depends on it as "needs measurement" with the
/// command that measures it, never a guess. Files look like
/// <c>{"figures": {"gateway.cpuMicrosPerFrame": {"value": 15.9, "source": "..."}, "wire.bytesPerDelivery": {"value": null, "source": "run ..."}}}</c>.
/// </summary>
public sealed class ModelInputs
{
    /// <summary>Gateway CPU per frame written to one connection, µs, at the room budget.</summary>
    public const string GatewayCpuMicrosPerFrame = "gateway.cpuMicrosPerFrame";

    /// <summary>Gateway CPU per delivery, µs (LoadTest scale; a check on the per-frame figure).</summary>
    public const string GatewayCpuMicrosPerDelivery = "gateway.cpuMicrosPerDelivery";

    /// <summary>Gateway memory per idle connection, KB.</summary>
    public const string GatewayMemoryKBPerConnection = "gateway.memoryKBPerConnection";

    /// <summary>Gateway memory before any connection, MB.</summary>
    public const string GatewayBaseMemoryMB = "gateway.baseMemoryMB";

    /// <summary>RoomService CPU per room event it stamps and publishes, ms.</summary>
    public const string RoomServiceCpuMsPerEvent = "roomservice.cpuMsPerEvent";

    /// <summary>Redis commands (scripts' inner commands included) per room event.</summary>
    public const string RedisCommandsPerEvent = "redis.commandsPerEvent";

    /// <summary>Redis CPU per command, µs.</summary>
    public const string RedisCpuMicrosPerCommand = "redis.cpuMicrosPerCommand";

    /// <summary>Redis commands per presence script call (report or broadcast check), inner commands included.</summary>
    public const string PresenceCommandsPerCall = "presence.commandsPerCall";

    /// <summary>Bytes on the wire per delivered event (frames, WebSocket and SignalR framing; not TCP/TLS).</summary>
    public const string WireBytesPerDelivery = "wire.bytesPerDelivery";

    /// <summary>
    /// Messages (in + out, as /varz counts them) a NATS server routes per second of its own CPU, with LiveIm's traffic
    /// (LoadTest nats: chat sends as request, reply and room event, room events fanned out to the gateways).
    /// </summary>
    public const string NatsMessagesPerSecondPerCore = "nats.messagesPerSecondPerCore";

    /// <summary>Every key a file may hold, with the command that measures it when it is missing.</summary>
    public static readonly IReadOnlyDictionary<string, string> Keys = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [GatewayCpuMicrosPerFrame] = "dotnet run -c Release --project LoadTest -- fanout --connections 10000",
        [GatewayCpuMicrosPerDelivery] = "dotnet run -c Release --project LoadTest -- scale --json scale.json",
        [GatewayMemoryKBPerConnection] = "dotnet run -c Release --project LoadTest -- fanout --connections 10000",
        [GatewayBaseMemoryMB] = "dotnet run -c Release --project LoadTest -- fanout --connections 10000",
        [RoomServiceCpuMsPerEvent] = "dotnet run -c Release --project LoadTest -- scale --json scale.json",
        [RedisCommandsPerEvent] = "dotnet run -c Release --project LoadTest -- scale --json scale.json",
        [RedisCpuMicrosPerCommand] = "dotnet run -c Release --project LoadTest -- scale --json scale.json",
        [PresenceCommandsPerCall] = "dotnet run -c Release --project LoadTest -- presence --rooms 100 --gateways 10 --viewers-per-room 10000 --seconds 10",
        [WireBytesPerDelivery] = "dotnet run -c Release --project LoadTest -- scale --json scale.json",
        [NatsMessagesPerSecondPerCore] = "dotnet run -c Release --project LoadTest -- nats --json nats.json",
    };

    private readonly Dictionary<string, Figure> _figures = new(StringComparer.Ordinal);

    /// <summary>A figure and where it comes from (a null value: not measured yet).</summary>
    public sealed record Figure(double? Value, string Source);

    /// <summary>The figure under <paramref name="key"/>, or null when no file gave it.</summary>
    public Figure? Get(string key) => _figures.GetValueOrDefault(key);

    /// <summary>The value under <paramref name="key"/>, or null when not measured.</summary>
    public double? Value(string key) => Get(key)?.Value;

    /// <summary>Sets a figure (a value that is not a positive number, e.g. idle noise larger than the load, is stored as not measured).</summary>
    public void Set(string key, double? value, string source)
    {
        if (!Keys.ContainsKey(key))
        {
            throw new OptionsException($"unknown model input '{key}' (known: {string.Join(", ", Keys.Keys)})");
        }

        _figures[key] = new Figure(value is { } v && double.IsFinite(v) && v > 0 ? v : null, source);
    }

    /// <summary>Takes every figure of <paramref name="other"/> that has a value, and the "not measured" notes of keys this one lacks.</summary>
    public void Merge(ModelInputs other)
    {
        foreach (var (key, figure) in other._figures)
        {
            if (figure.Value is not null || !_figures.ContainsKey(key))
            {
                _figures[key] = figure;
            }
        }
    }

    /// <summary>Reads a file; throws <see cref="OptionsException"/> naming the file and what is wrong with it.</summary>
    public static ModelInputs Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OptionsException($"cannot read model inputs '{path}': {ex.Message}");
        }

        return Parse(text, path);
    }

    /// <summary>Parses the JSON of a file called <paramref name="name"/>.</summary>
    public static ModelInputs Parse(string text, string name)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException ex)
        {
            throw new OptionsException($"model inputs '{name}' are not JSON: {ex.Message}");
        }

        if (root is not JsonObject obj || obj["figures"] is not JsonObject figures)
        {
            throw new OptionsException($"model inputs '{name}' need an object {{\"figures\": {{...}}}}");
        }

        var inputs = new ModelInputs();
        foreach (var (key, node) in figures)
        {
            if (!Keys.ContainsKey(key))
            {
                throw new OptionsException($"model inputs '{name}': unknown figure '{key}' (known: {string.Join(", ", Keys.Keys)})");
            }

            if (node is not JsonObject figure || figure["source"] is not JsonValue source || !source.TryGetValue<string>(out var sourceText) || sourceText.Length == 0)
            {
                throw new OptionsException($"model inputs '{name}': '{key}' needs {{\"value\": number or null, \"source\": \"where it was measured\"}}");
            }

            double? value = null;
            if (figure["value"] is JsonValue v)
            {
                if (!v.TryGetValue<double>(out var number) || !double.IsFinite(number) || number <= 0)
                {
                    throw new OptionsException($"model inputs '{name}': '{key}' value must be a positive number or null");
                }

                value = number;
            }
            else if (figure["value"] is not null)
            {
                throw new OptionsException($"model inputs '{name}': '{key}' value must be a positive number or null");
            }

            inputs._figures[key] = new Figure(value, sourceText);
        }

        return inputs;
    }

    /// <summary>The file form of these figures.</summary>
    public string ToJson()
    {
        var figures = new JsonObject();
        foreach (var (key, figure) in _figures.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            figures[key] = new JsonObject
            {
                ["value"] = figure.Value is { } v ? JsonValue.Create(Math.Round(v, 4)) : null,
                ["source"] = figure.Source,
            };
        }

        return new JsonObject { ["figures"] = figures }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>A value for the report: the number, or "needs measurement".</summary>
    public string Describe(string key, string format) =>
        Value(key) is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "needs measurement";
}

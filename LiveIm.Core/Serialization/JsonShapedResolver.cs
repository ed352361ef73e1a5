using System.Collections.Concurrent;
using System.Text.Json;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace LiveIm.Core.Serialization;

/// <summary>
/// The MessagePack resolver of LiveIm's hub protocol (gateway and .NET client): strings, numbers and booleans as
/// MessagePack's own, everything else (call results, <c>reconnect</c> notices, events received as
/// <see cref="JsonElement"/>) through System.Text.Json and <see cref="MessagePackJson"/>, so a result's map has the same
/// camelCase keys in MessagePack as in JSON.
/// </summary>
public sealed class JsonShapedResolver : IFormatterResolver
{
    private static readonly HashSet<Type> Primitives =
    [
        typeof(string), typeof(bool), typeof(int), typeof(long), typeof(double), typeof(float), typeof(short), typeof(byte),
        typeof(uint), typeof(ulong), typeof(bool?), typeof(int?), typeof(long?), typeof(double?), typeof(float?),
    ];

    private readonly JsonSerializerOptions _json;
    private readonly ConcurrentDictionary<Type, object> _formatters = new();

    /// <param name="json">How non-primitive values are written and read: the JSON hub protocol's payload options.</param>
    public JsonShapedResolver(JsonSerializerOptions json)
    {
        _json = json;
    }

    /// <summary>MessagePack options for the hub protocol: this resolver, and the limits for data from the network.</summary>
    public static MessagePackSerializerOptions Options(JsonSerializerOptions json) =>
        MessagePackSerializerOptions.Standard.WithResolver(new JsonShapedResolver(json)).WithSecurity(MessagePackSecurity.UntrustedData);

    /// <inheritdoc/>
    public IMessagePackFormatter<T>? GetFormatter<T>() =>
        Primitives.Contains(typeof(T))
            ? StandardResolver.Instance.GetFormatter<T>()
            : (IMessagePackFormatter<T>)_formatters.GetOrAdd(typeof(T), static (_, json) => new JsonShapedFormatter<T>(json), _json);

    private sealed class JsonShapedFormatter<T>(JsonSerializerOptions json) : IMessagePackFormatter<T>
    {
        public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
        {
            // value's runtime type, as the JSON protocol writes it (an object-typed argument keeps its fields).
            var bytes = JsonSerializer.SerializeToUtf8Bytes(value, value?.GetType() ?? typeof(T), json);
            MessagePackJson.WriteJson(bytes, ref writer);
        }

        public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
        {
            if (typeof(T) != typeof(JsonElement) && reader.TryReadNil())
            {
                return default!;
            }

            var bytes = MessagePackJson.ToJson(ref reader);
            return JsonSerializer.Deserialize<T>(bytes, json)!;
        }
    }
}

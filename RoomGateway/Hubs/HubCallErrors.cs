using System.Buffers;
using System.Reflection;
using System.Text;
using System.Text.Json;
using LiveIm.Core.Errors;

namespace LiveIm.RoomGateway.Hubs;

/// <summary>
/// What a client is told when SignalR cannot bind its call to a <see cref="RoomHub"/> method: the method does not
/// exist, the call sent the wrong number of arguments, or an argument of the wrong JSON type. SignalR's own answer
/// ("Failed to invoke 'SendGift' due to an error on the server.") names neither the argument nor the rule; this one
/// does, from the hub's own signatures: <c>invalid_argument: SendGift argument 2 (count) must be a whole number; the
/// call sent a string</c>.
/// </summary>
internal static class HubCallErrors
{
    private const int MaxEchoedName = 64;

    // The hub's callable methods, as SignalR sees them: public instance methods declared on RoomHub itself, not the
    // Hub base class's lifetime overrides (OnConnectedAsync), by name (SignalR forbids overloads).
    private static readonly Dictionary<string, ParameterInfo[]> Methods = typeof(RoomHub)
        .GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
        .Where(m => !m.IsSpecialName && m.GetBaseDefinition().DeclaringType == typeof(RoomHub))
        .ToDictionary(m => m.Name, m => m.GetParameters(), StringComparer.OrdinalIgnoreCase);

    private static readonly string MethodList = string.Join(", ", Methods.Keys.Order(StringComparer.Ordinal));

    /// <summary>The <c>"code: message"</c> for a call to <paramref name="target"/> whose arguments did not bind.</summary>
    /// <param name="target">The method the call named.</param>
    /// <param name="arguments">The call's arguments as a JSON array (whatever the hub protocol), to see what it sent; null when unknown.</param>
    public static string Describe(string target, ReadOnlySequence<byte>? arguments)
    {
        if (!Methods.TryGetValue(target, out var parameters))
        {
            return $"{ErrorCodes.UnknownMethod}: there is no hub method '{Echo(target)}'; the methods are {MethodList} (docs/protocol.md)";
        }

        var list = string.Join(", ", parameters.Select(p => $"{p.Name}: {Expected(p.ParameterType)}"));
        var signature = $"{target}({list})";
        if (arguments is not { } array || Arguments(array) is not { } sent)
        {
            return $"{ErrorCodes.InvalidArgument}: the arguments do not match {signature}";
        }

        if (sent.Count != parameters.Length)
        {
            return $"{ErrorCodes.InvalidArgument}: {target} takes {Count(parameters.Length)}" + (list.Length > 0 ? $" ({list})" : string.Empty)
                + $"; the call sent {sent.Count}";
        }

        for (var i = 0; i < parameters.Length; i++)
        {
            if (!Fits(sent[i], parameters[i].ParameterType))
            {
                return $"{ErrorCodes.InvalidArgument}: {target} argument {i + 1} ({parameters[i].Name}) must be {Expected(parameters[i].ParameterType)}; "
                    + $"the call sent {Sent(sent[i], parameters[i].ParameterType)}";
            }
        }

        return $"{ErrorCodes.InvalidArgument}: the arguments do not match {signature}";
    }

    /// <summary>A client-sent name, shortened and stripped of control characters, safe to echo in an error.</summary>
    public static string Echo(string name)
    {
        var builder = new StringBuilder(Math.Min(name.Length, MaxEchoedName + 1));
        foreach (var c in name.AsSpan(0, Math.Min(name.Length, MaxEchoedName)))
        {
            builder.Append(char.IsControl(c) || char.IsSurrogate(c) ? '?' : c);
        }

        return name.Length > MaxEchoedName ? builder.Append('…').ToString() : builder.ToString();
    }

    private static string Count(int n) => n == 1 ? "1 argument" : $"{n} arguments";

    // Read only for the error: nothing on the good path.
    private static List<JsonElement>? Arguments(ReadOnlySequence<byte> array)
    {
        try
        {
            using var document = JsonDocument.Parse(array);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            return [.. document.RootElement.EnumerateArray().Select(a => a.Clone())];
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool Fits(JsonElement value, Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (value.ValueKind == JsonValueKind.Null)
        {
            return underlying is not null || !type.IsValueType;
        }

        return (underlying ?? type) switch
        {
            var t when t == typeof(string) => value.ValueKind == JsonValueKind.String,
            var t when t == typeof(int) => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _),
            var t when t == typeof(long) => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
            var t when t == typeof(double) => value.ValueKind == JsonValueKind.Number,
            var t when t == typeof(bool) => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            _ => true, // not a type the hub uses today: no claim about it
        };
    }

    private static bool IsNumber(Type type) =>
        (Nullable.GetUnderlyingType(type) ?? type) is var t && (t == typeof(int) || t == typeof(long) || t == typeof(double));

    private static string Expected(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        var name = (underlying ?? type) switch
        {
            var t when t == typeof(string) => "a string",
            var t when t == typeof(int) => "a whole number (32-bit)",
            var t when t == typeof(long) => "a whole number",
            var t when t == typeof(double) => "a number",
            var t when t == typeof(bool) => "true or false",
            var t => t.Name,
        };
        return underlying is null ? name : name + " or null";
    }

    private static string Sent(JsonElement value, Type expected) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number when IsNumber(expected) => $"{Echo(value.GetRawText())}, which is not {Expected(expected)}",
        JsonValueKind.Number => "a number",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "null",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => "an unreadable value",
    };
}

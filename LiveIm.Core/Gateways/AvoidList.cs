namespace LiveIm.Core.Gateways;

/// <summary>
/// The gateways a client names in <c>GET /api/gateways/assign?avoid=</c> (those it just lost or failed to reach): the
/// contract's bounds, checked by RoomService, and the one way clients add to the list.
/// </summary>
public static class AvoidList
{
    /// <summary>Most <c>avoid</c> values one request may carry.</summary>
    public const int MaxCount = 8;

    /// <summary>Longest gateway id an <c>avoid</c> value may be.</summary>
    public const int MaxIdLength = 200;

    /// <summary>True for a value RoomService accepts.</summary>
    public static bool IsValidId(string? gatewayId) => !string.IsNullOrEmpty(gatewayId) && gatewayId.Length <= MaxIdLength;

    /// <summary>Adds <paramref name="gatewayId"/> unless it is not a valid id, already listed, or the list is full.</summary>
    public static void Add(List<string> avoid, string? gatewayId)
    {
        ArgumentNullException.ThrowIfNull(avoid);
        if (IsValidId(gatewayId) && avoid.Count < MaxCount && !avoid.Contains(gatewayId!))
        {
            avoid.Add(gatewayId!);
        }
    }
}

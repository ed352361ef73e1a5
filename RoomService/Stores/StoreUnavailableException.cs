namespace LiveIm.RoomService.Stores;

/// <summary>The store is down or too slow. Maps to <c>unavailable</c>.</summary>
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

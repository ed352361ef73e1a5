namespace LiveIm.Core.Stores;

/// <summary>
/// A store (Redis) is down, not answering within its timeout, or refusing work for a while (loading, failing over).
/// Every store adapter throws this and only this for such failures, so callers map one type to <c>unavailable</c>
/// and never see a client library's exceptions.
/// </summary>
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

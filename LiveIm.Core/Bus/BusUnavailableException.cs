namespace LiveIm.Core.Bus;

/// <summary>The bus is down, nobody answered, or the answer did not come in time. Maps to <c>unavailable</c>.</summary>
public sealed class BusUnavailableException : Exception
{
    public BusUnavailableException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

namespace LiveIm.Nats;

/// <summary>The connection is not in the Connected state (connecting, reconnecting or closed). Raised at once: nothing is buffered.</summary>
public sealed class NatsNotConnectedException : NatsException
{
    /// <summary>Creates the exception with the default message.</summary>
    public NatsNotConnectedException()
        : base("The NATS connection is not connected.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public NatsNotConnectedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public NatsNotConnectedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

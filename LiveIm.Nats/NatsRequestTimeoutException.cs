namespace LiveIm.Nats;

/// <summary>No reply arrived within the request timeout.</summary>
public sealed class NatsRequestTimeoutException : NatsException
{
    /// <summary>Creates the exception with the default message.</summary>
    public NatsRequestTimeoutException()
        : base("The NATS request timed out.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public NatsRequestTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public NatsRequestTimeoutException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

namespace LiveIm.Nats;

/// <summary>Payload plus headers exceed the server's max_payload; raised before anything is written.</summary>
public sealed class NatsPayloadTooLargeException : NatsException
{
    /// <summary>Creates the exception with the default message.</summary>
    public NatsPayloadTooLargeException()
        : base("The payload exceeds the server's maximum payload.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public NatsPayloadTooLargeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public NatsPayloadTooLargeException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

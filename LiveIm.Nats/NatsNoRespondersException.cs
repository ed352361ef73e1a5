namespace LiveIm.Nats;

/// <summary>A request found no subscriber: the server answered the inbox with status 503.</summary>
public sealed class NatsNoRespondersException : NatsException
{
    /// <summary>Creates the exception with the default message.</summary>
    public NatsNoRespondersException()
        : base("No responders are subscribed to the request subject.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public NatsNoRespondersException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public NatsNoRespondersException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

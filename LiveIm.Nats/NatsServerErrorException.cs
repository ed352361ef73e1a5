namespace LiveIm.Nats;

/// <summary>The server sent -ERR (for example 'Authorization Violation').</summary>
public sealed class NatsServerErrorException : NatsException
{
    /// <summary>Creates the exception with the default message.</summary>
    public NatsServerErrorException()
        : base("The NATS server reported an error.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public NatsServerErrorException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public NatsServerErrorException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

namespace LiveIm.LoadTest.Fanout;

/// <summary>A command line that cannot run; the message says what to change.</summary>
public sealed class OptionsException : Exception
{
    public OptionsException(string message)
        : base(message)
    {
    }

    public OptionsException()
    {
    }

    public OptionsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

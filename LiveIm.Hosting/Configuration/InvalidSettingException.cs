namespace LiveIm.Hosting.Configuration;

/// <summary>
/// A setting or secret the process refuses to start with; the message names the setting. <see cref="LiveImHost"/>
/// turns it (and <see cref="Microsoft.Extensions.Options.OptionsValidationException"/>) into a one-line message on
/// stderr and exit code <see cref="LiveImHost.RefusedExitCode"/>.
/// </summary>
public sealed class InvalidSettingException : InvalidOperationException
{
    public InvalidSettingException(string message)
        : base(message)
    {
    }
}

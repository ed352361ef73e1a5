using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace LiveIm.Hosting.Configuration;

/// <summary>
/// What each deployable's Program.cs runs: build, map, start, wait. A setting or secret refused at start-up (missing,
/// malformed, out of range, development-only) ends the process with its message on stderr, no stack trace, and exit
/// code <see cref="RefusedExitCode"/>: an operator reads what to fix, an orchestrator sees a failed start rather than
/// a crash (an unhandled exception would abort with SIGABRT and a core dump).
/// </summary>
public static class LiveImHost
{
    /// <summary>EX_CONFIG from sysexits.h: "something was found in an unconfigured or misconfigured state".</summary>
    public const int RefusedExitCode = 78;

    /// <summary>Runs the process until it is stopped; returns its exit code.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="name">The process's name in the refusal message, e.g. "RoomGateway".</param>
    /// <param name="add">Registers its services (AddXxx).</param>
    /// <param name="map">Maps its endpoints (MapXxx).</param>
    public static int Run(string[] args, string name, Action<WebApplicationBuilder> add, Action<WebApplication> map)
    {
        WebApplication? app = null;
        try
        {
            var builder = WebApplication.CreateBuilder(args);
            add(builder);
            app = builder.Build();
            map(app);

            // The ValidateOnStart checks, before the host resolves its hosted services (which would meet a bad option
            // first and have the host log it with a stack trace).
            app.Services.GetService<IStartupValidator>()?.Validate();
            app.Start();
        }
        catch (Exception ex) when (Refusal(ex) is { } message)
        {
            Console.Error.WriteLine($"{name}: refused to start: {message}");
            ((IDisposable?)app)?.Dispose();
            return RefusedExitCode;
        }

        app.WaitForShutdown();
        return 0;
    }

    /// <summary>The message of a refused setting in <paramref name="ex"/> (or its inner exceptions), else null.</summary>
    public static string? Refusal(Exception ex) => ex switch
    {
        OptionsValidationException options => string.Join("; ", options.Failures),
        InvalidSettingException setting => setting.Message,

        // ConfigurationBinder's own refusal of a value it cannot convert ("Failed to convert configuration value at
        // 'Nats:RequestTimeout' to type 'System.TimeSpan'"): it names the setting too.
        InvalidOperationException binder when binder.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) => binder.Message,
        AggregateException aggregate => aggregate.InnerExceptions.Select(Refusal).FirstOrDefault(m => m is not null),
        _ when ex.InnerException is { } inner => Refusal(inner),
        _ => null,
    };
}

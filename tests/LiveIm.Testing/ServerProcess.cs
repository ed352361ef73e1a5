using System.Diagnostics;
using System.Net.Sockets;

namespace LiveIm.Testing;

/// <summary>
/// A real server process (nats-server, redis-server) started on loopback on a free port.
/// It can be stopped and started again on the same port, which is how tests prove that
/// clients heal after a server restart.
/// </summary>
public abstract class ServerProcess : IAsyncDisposable
{
    private readonly OutputTail _output = new();
    private Process? _process;

    protected ServerProcess(int port)
    {
        Port = port;
    }

    /// <summary>The loopback TCP port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The last lines the server printed (for failure messages).</summary>
    public string Output
    {
        get
        {
            return _output.ToString();
        }
    }

    /// <summary>True while the process runs.</summary>
    public bool IsRunning => _process is { HasExited: false };

    protected abstract string FileName { get; }

    protected abstract IEnumerable<string> Arguments { get; }

    /// <summary>Environment variables added to the process's own (none by default).</summary>
    protected virtual IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>();

    /// <summary>The name of the process's log file in <see cref="TestLogs.Folder"/> (its output, line by line).</summary>
    protected virtual string LogName => $"{Path.GetFileNameWithoutExtension(FileName)}-{Port}";

    /// <summary>The folder the process starts in (the test's current folder by default).</summary>
    protected virtual string? WorkingDirectory => null;

    /// <summary>The process id while it runs (for /proc readings such as memory).</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>Starts the process and waits until its port accepts connections.</summary>
    public async Task StartAsync(TimeSpan? timeout = null)
    {
        if (IsRunning)
        {
            return;
        }

        var psi = new ProcessStartInfo(FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (WorkingDirectory is { } folder)
        {
            psi.WorkingDirectory = folder;
        }

        foreach (var arg in Arguments)
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in Environment)
        {
            psi.Environment[name] = value;
        }

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{FileName} exited with code {process.ExitCode}:\n{Output}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(25);
            }
        }

        throw new TimeoutException($"{FileName} did not accept connections on port {Port}:\n{Output}");
    }

    /// <summary>Kills the process (SIGKILL: a crash, not a clean shutdown) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            process.Dispose();
        }
    }

    /// <summary>
    /// SIGSTOP: the process freezes with its sockets open (a hung server, a frozen VM), which no client sees as a
    /// disconnect. <see cref="ResumeAsync"/> lets it run on.
    /// </summary>
    public Task PauseAsync() => SignalAsync("STOP");

    /// <summary>SIGCONT after <see cref="PauseAsync"/>.</summary>
    public Task ResumeAsync() => SignalAsync("CONT");

    /// <summary>Stops, waits <paramref name="downtime"/>, and starts again on the same port.</summary>
    public async Task RestartAsync(TimeSpan downtime)
    {
        await StopAsync();
        await Task.Delay(downtime);
        await StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        GC.SuppressFinalize(this);
    }

    private void Append(string? line)
    {
        _output.Append(line);
        if (line is not null)
        {
            TestLogs.Append(LogName, line);
        }
    }

    private async Task SignalAsync(string signal)
    {
        var pid = ProcessId ?? throw new InvalidOperationException($"{FileName} is not running");
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {pid} failed with exit code {kill.ExitCode}");
        }
    }
}

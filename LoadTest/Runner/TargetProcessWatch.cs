using LiveIm.LoadTest.Measurement;
using LiveIm.LoadTest.Targets;

namespace LiveIm.LoadTest.Runner;

/// <summary>
/// CPU (% of one core) and resident memory (MB) of the processes under test, once a second, from procfs. The list is
/// asked for again each second: processes are killed and started during a run.
/// </summary>
public sealed class TargetProcessWatch
{
    private readonly Func<IReadOnlyList<TargetProcess>> _processes;
    private readonly Dictionary<int, (double Cpu, long At)> _last = [];

    public TargetProcessWatch(Func<IReadOnlyList<TargetProcess>> processes)
    {
        _processes = processes ?? throw new ArgumentNullException(nameof(processes));
    }

    /// <summary>Adds <c>cpu.&lt;name&gt;</c> and <c>rss.&lt;name&gt;</c> for every process alive now (the load client as <c>cpu.loadtest</c>).</summary>
    public void Read(IDictionary<string, double> values, long now)
    {
        ArgumentNullException.ThrowIfNull(values);
        IReadOnlyList<TargetProcess> list;
        try
        {
            list = _processes();
        }
        catch (InvalidOperationException)
        {
            list = [];
        }

        foreach (var process in list.Append(new TargetProcess("loadtest", Environment.ProcessId)))
        {
            var name = Response.SafeCode(process.Name);
            var cpu = ProcessStats.CpuSeconds(process.Pid);
            var rss = ProcessStats.RssBytes(process.Pid);
            if (cpu is null || rss is null)
            {
                continue;
            }

            if (_last.TryGetValue(process.Pid, out var last) && now > last.At)
            {
                var seconds = (now - last.At) / (double)System.Diagnostics.Stopwatch.Frequency;
                values[$"cpu.{name}"] = Math.Max(0, (cpu.Value - last.Cpu) / seconds * 100);
            }

            values[$"rss.{name}"] = rss.Value / (1024.0 * 1024.0);
            _last[process.Pid] = (cpu.Value, now);
        }
    }
}

using System.Text;

namespace LiveIm.Testing;

/// <summary>
/// The last 32-64 KB of a child process's output lines, for error messages (thread-safe: stdout and stderr events
/// append concurrently).
/// </summary>
public sealed class OutputTail
{
    private readonly StringBuilder _text = new();

    /// <summary>Appends a line (null, the end-of-stream marker of process events, is ignored).</summary>
    public void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_text)
        {
            if (_text.Length > 64 * 1024)
            {
                _text.Remove(0, 32 * 1024);
            }

            _text.AppendLine(line);
        }
    }

    /// <summary>The kept output.</summary>
    public override string ToString()
    {
        lock (_text)
        {
            return _text.ToString();
        }
    }
}

using System.Collections;
using System.Globalization;
using System.Text;

namespace LiveIm.Nats;

/// <summary>
/// NATS message headers: an ordered list of name/value pairs, where a name may repeat.
/// Names are case-sensitive, as NATS keeps them (https://docs.nats.io/learn/core-nats/headers).
/// On the wire: <c>NATS/1.0[ status[ description]]␍␊name: value␍␊…␍␊</c>.
/// </summary>
public sealed class NatsHeaders : IEnumerable<KeyValuePair<string, string>>
{
    private readonly List<KeyValuePair<string, string>> _entries = [];

    /// <summary>Number of name/value pairs.</summary>
    public int Count => _entries.Count;

    /// <summary>
    /// The status code of the version line (<c>NATS/1.0 503</c>), set by the server on status messages
    /// such as "no responders"; null on ordinary messages.
    /// </summary>
    public int? StatusCode { get; internal set; }

    /// <summary>The text after the status code (<c>NATS/1.0 408 Request Timeout</c>), if any.</summary>
    public string? StatusDescription { get; internal set; }

    /// <summary>
    /// Gets the first value of <paramref name="name"/> (throws <see cref="KeyNotFoundException"/> if absent);
    /// setting replaces every value of that name with one.
    /// </summary>
    public string this[string name]
    {
        get => TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"No header '{name}'.");
        set
        {
            ValidateValue(value);
            ValidateName(name);
            _entries.RemoveAll(e => e.Key == name);
            _entries.Add(new(name, value));
        }
    }

    /// <summary>Appends a value; earlier values of the same name are kept.</summary>
    public void Add(string name, string value)
    {
        ValidateName(name);
        ValidateValue(value);
        _entries.Add(new(name, value));
    }

    /// <summary>The first value of <paramref name="name"/>.</summary>
    public bool TryGetValue(string name, out string value)
    {
        foreach (var entry in _entries)
        {
            if (entry.Key == name)
            {
                value = entry.Value;
                return true;
            }
        }

        value = string.Empty;
        return false;
    }

    /// <summary>Every value of <paramref name="name"/>, in order.</summary>
    public IReadOnlyList<string> GetValues(string name) =>
        _entries.Where(e => e.Key == name).Select(e => e.Value).ToList();

    /// <summary>True when the header has at least one value.</summary>
    public bool ContainsKey(string name) => TryGetValue(name, out _);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // The version line every header block starts with.
    internal static ReadOnlySpan<byte> Version => "NATS/1.0"u8;

    /// <summary>Bytes of the serialized block, trailing blank line included (the HPUB #header bytes).</summary>
    internal int GetWireLength()
    {
        var length = Version.Length + 2;
        if (StatusCode is { } status)
        {
            length += 1 + CountDigits(status);
            if (StatusDescription is { Length: > 0 } description)
            {
                length += 1 + Encoding.UTF8.GetByteCount(description);
            }
        }

        foreach (var (name, value) in _entries)
        {
            // "name: value\r\n"
            length += Encoding.UTF8.GetByteCount(name) + 2 + Encoding.UTF8.GetByteCount(value) + 2;
        }

        return length + 2;
    }

    /// <summary>Writes the block; <paramref name="destination"/> holds at least <see cref="GetWireLength"/> bytes.</summary>
    internal int WriteTo(Span<byte> destination)
    {
        var at = 0;
        Version.CopyTo(destination);
        at += Version.Length;
        if (StatusCode is { } status)
        {
            destination[at++] = (byte)' ';
            status.TryFormat(destination[at..], out var written, provider: CultureInfo.InvariantCulture);
            at += written;
            if (StatusDescription is { Length: > 0 } description)
            {
                destination[at++] = (byte)' ';
                at += Encoding.UTF8.GetBytes(description, destination[at..]);
            }
        }

        destination[at++] = (byte)'\r';
        destination[at++] = (byte)'\n';
        foreach (var (name, value) in _entries)
        {
            at += Encoding.UTF8.GetBytes(name, destination[at..]);
            destination[at++] = (byte)':';
            destination[at++] = (byte)' ';
            at += Encoding.UTF8.GetBytes(value, destination[at..]);
            destination[at++] = (byte)'\r';
            destination[at++] = (byte)'\n';
        }

        destination[at++] = (byte)'\r';
        destination[at++] = (byte)'\n';
        return at;
    }

    /// <summary>Adds a parsed pair without validation (the server already accepted it).</summary>
    internal void AddParsed(string name, string value) => _entries.Add(new(name, value));

    private static int CountDigits(int value) => value.ToString(CultureInfo.InvariantCulture).Length;

    private static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        foreach (var c in name)
        {
            // A name is a MIME field name: printable ASCII without ':' (it ends the name) or spaces.
            if (c <= ' ' || c >= 127 || c == ':')
            {
                throw new ArgumentException($"Header name '{name}' must be printable ASCII without ':' or spaces.", nameof(name));
            }
        }
    }

    private static void ValidateValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);

        // CR or LF would end the line early and let a value forge further headers or protocol.
        if (value.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException("Header values must not contain CR or LF.", nameof(value));
        }
    }
}

using System.Text;
using System.Text.Json;

namespace LiveIm.SignalR;

/// <summary>One <see cref="HubConnection.On(string, Action{JsonElement[]})"/> subscription; disposing it unsubscribes.</summary>
internal sealed class HandlerRegistration : IDisposable
{
    private readonly HubConnection _owner;

    public HandlerRegistration(HubConnection owner, string method, Action<JsonElement[]> handler)
    {
        _owner = owner;
        Method = method;
        MethodUtf8 = Encoding.UTF8.GetBytes(method);
        Handler = handler;
    }

    public string Method { get; }

    /// <summary>The name as UTF-8, so an incoming <c>target</c> is matched against the record bytes without decoding it.</summary>
    public byte[] MethodUtf8 { get; }

    public Action<JsonElement[]> Handler { get; }

    /// <summary>"Target is case-sensitive": ordinal byte comparison, or string comparison when the target had JSON escapes.</summary>
    public bool Matches(ReadOnlySpan<byte> rawTarget, string? escapedTarget) =>
        escapedTarget is null ? rawTarget.SequenceEqual(MethodUtf8) : string.Equals(Method, escapedTarget, StringComparison.Ordinal);

    public void Dispose() => _owner.RemoveHandler(this);
}

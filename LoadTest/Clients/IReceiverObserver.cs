namespace LiveIm.LoadTest.Clients;

/// <summary>
/// Optional hooks into a lean receiver's receive loop, for clients that do more than count: a spike viewer reads
/// seqs to resume, follows <c>reconnect</c> and notices when its connection ends. Called on the receive loop: keep
/// them short and never block.
/// </summary>
internal interface IReceiverObserver
{
    /// <summary>The JoinRoom completion arrived without an error (called before the join task completes).</summary>
    void OnJoined(ReceiverConnection connection, ReadOnlySpan<byte> completion);

    /// <summary>An <c>events</c> frame arrived and was counted.</summary>
    void OnEvents(ReceiverConnection connection, ReadOnlySpan<byte> frame, in Protocol.EventCounts counts, long now);

    /// <summary>Another invocation of the server (<c>reconnect</c>, …).</summary>
    void OnInvocation(ReceiverConnection connection, ReadOnlySpan<byte> record);

    /// <summary>The connection ended (once, with the first reason).</summary>
    void OnClosed(ReceiverConnection connection, string reason);
}

namespace LiveIm.Nats;

/// <summary>A live subscription. Disposing it unsubscribes.</summary>
public interface INatsSubscription : IAsyncDisposable
{
    /// <summary>The subject (wildcards allowed) subscribed to.</summary>
    string Subject { get; }

    /// <summary>The queue group, or null for a plain subscription.</summary>
    string? QueueGroup { get; }

    /// <summary>Messages queued for the handler (not counting dropped ones).</summary>
    long Received { get; }

    /// <summary>Messages dropped because the handler fell behind by more than the channel capacity.</summary>
    long Dropped { get; }

    /// <summary>
    /// Unsubscribes now, or, with <paramref name="maxMessages"/>, after that many messages in total
    /// (counting those already received; the server enforces it too, and the remainder survives reconnects).
    /// </summary>
    ValueTask UnsubscribeAsync(int? maxMessages = null);
}

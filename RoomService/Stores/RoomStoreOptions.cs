namespace LiveIm.RoomService.Stores;

/// <summary>Bounds of the stored state (configuration section <c>History</c>).</summary>
public sealed class RoomStoreOptions
{
    /// <summary>
    /// Reliable events kept per room: 30 s at the room gift cap (Limits:RoomGiftsPerSecond, 200/s × 30 s = 6,000),
    /// so a viewer whose reconnect takes up to 30 s during the hottest gift storm a room accepts still resumes
    /// without a gap. ~300 bytes each: 1.8 MB in Redis for a room at the cap, and only while its events come faster
    /// than <see cref="MaxAge"/> trims them.
    /// </summary>
    public int MaxCount { get; set; } = 6000;

    /// <summary>How long a reliable event stays recoverable.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a gift's client message id is remembered (retries after this are new gifts).</summary>
    public TimeSpan GiftIdempotencyTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Most events a join or history reply carries: 1,000 × ~300 bytes stays well under NATS's 1 MB message limit.
    /// A longer resume is read on by the gateway a page at a time.
    /// </summary>
    public int MaxReplay { get; set; } = 1000;
}

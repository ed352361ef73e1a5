namespace LiveIm.RoomService.Stores;

/// <summary>Bounds of the stored state (configuration section <c>History</c>).</summary>
public sealed class RoomStoreOptions
{
    /// <summary>Reliable events kept per room. 1,000 gifts at ~300 bytes is ~300 KB per room: cheap, and more than a
    /// reconnecting phone misses in a minute of even a hot room.</summary>
    public int MaxCount { get; set; } = 1000;

    /// <summary>How long a reliable event stays recoverable.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a gift's client message id is remembered (retries after this are new gifts).</summary>
    public TimeSpan GiftIdempotencyTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Most events a join or repair returns at once.</summary>
    public int MaxReplay { get; set; } = 1000;
}

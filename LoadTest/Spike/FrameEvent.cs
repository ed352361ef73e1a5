namespace LiveIm.LoadTest.Spike;

/// <summary>What a spike viewer needs of one event in a frame (see <see cref="FrameReader"/>).</summary>
internal struct FrameEvent
{
    /// <summary>First byte of the lane: 'g' gift, 'c' chat, 'l' like, 's' system.</summary>
    public byte Lane;

    /// <summary>The reliable seq, or -1 when null or absent.</summary>
    public long Seq;

    /// <summary>The runner's gift number (from a <c>g&lt;n&gt;_&lt;due&gt;</c> gift id), or -1.</summary>
    public long GiftNumber;

    /// <summary>The due timestamp carried by a gift id or a chat line, or -1.</summary>
    public long SentTimestamp;
}

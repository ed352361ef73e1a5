namespace LiveIm.Hosting.Presence;

/// <summary>What the presence script returns for a room.</summary>
/// <param name="Online">Sum of the live reports (for a read that leaves a gateway out: of the others).</param>
/// <param name="Gateways">Gateways with a live report of at least one member (the left-out one included).</param>
/// <param name="Changed">For a broadcast check: the total differs from the last one broadcast.</param>
public readonly record struct RoomPresence(long Online, int Gateways, bool Changed);

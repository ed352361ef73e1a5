using LiveIm.LoadTest.Clients;

namespace LiveIm.LoadTest.Spike;

/// <summary>What tells a viewer to move: its connection ended, or the gateway asked it to reconnect (drain).</summary>
/// <param name="Connection">The connection it is about.</param>
/// <param name="Timestamp">When it happened (<see cref="System.Diagnostics.Stopwatch"/>).</param>
/// <param name="ReconnectDelay">For a <c>reconnect</c> request, the delay it asked for; null for a lost connection.</param>
/// <param name="Reason">Why (close reason, or the reconnect's reason).</param>
internal sealed record ViewerSignal(ReceiverConnection Connection, long Timestamp, TimeSpan? ReconnectDelay, string Reason);

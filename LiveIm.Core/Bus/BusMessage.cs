namespace LiveIm.Core.Bus;

/// <summary>A message received from the bus.</summary>
/// <param name="Subject">The subject it was published on.</param>
/// <param name="Data">The payload (owned by the receiver).</param>
/// <param name="ReplyTo">Where to send the reply of a request; null for plain publishes.</param>
public readonly record struct BusMessage(string Subject, ReadOnlyMemory<byte> Data, string? ReplyTo);

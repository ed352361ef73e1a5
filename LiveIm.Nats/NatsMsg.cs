namespace LiveIm.Nats;

/// <summary>A message delivered by the server (MSG or HMSG).</summary>
/// <param name="Subject">The subject it was published to.</param>
/// <param name="ReplyTo">Where the publisher expects a reply, if anywhere.</param>
/// <param name="Data">The payload. The receiver owns it: it stays valid after the handler returns.</param>
/// <param name="Headers">Headers (HMSG), or null for a plain MSG.</param>
public readonly record struct NatsMsg(string Subject, string? ReplyTo, ReadOnlyMemory<byte> Data, NatsHeaders? Headers);

namespace LiveIm.Core.Bus.Contracts;

/// <summary>The error half of a <see cref="BusReply{T}"/>.</summary>
public sealed record BusError(string Code, string Message, long? RetryAfterMs = null);

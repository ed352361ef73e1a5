namespace LiveIm.Nats;

/// <summary>Handles one message of a subscription. Calls for one subscription never overlap.</summary>
public delegate ValueTask NatsMessageHandler(NatsMsg msg);

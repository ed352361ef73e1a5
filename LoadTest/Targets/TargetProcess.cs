namespace LiveIm.LoadTest.Targets;

/// <summary>One OS process of a target, measured on its own.</summary>
/// <param name="Name">What the report calls it (gateway, roomservice, nats-server, …).</param>
/// <param name="Pid">Its process id.</param>
public sealed record TargetProcess(string Name, int Pid);

using System.Globalization;

namespace LiveIm.LoadTest.Bus;

/// <summary>One step of <c>LoadTest nats</c>: a kind of traffic, its fan-out and its rate.</summary>
/// <param name="Kind">Room events alone, or whole chat sends.</param>
/// <param name="Fanout">Gateways holding each room: the copies of each room event NATS delivers (g).</param>
/// <param name="Rate">Room events/s (publish) or chat sends/s (chat) asked for; null: as fast as the receivers keep up.</param>
public sealed record NatsBenchStep(NatsBenchStepKind Kind, int Fanout, double? Rate)
{
    /// <summary><c>publish:4@max</c>, <c>chat:1@5000</c>: the step as <c>--steps</c> and <c>--rates</c> name it.</summary>
    public string Name => string.Create(CultureInfo.InvariantCulture, $"{KindName}:{Fanout}@{RateName}");

    /// <summary><c>publish</c> or <c>chat</c>.</summary>
    public string KindName => Kind == NatsBenchStepKind.Publish ? "publish" : "chat";

    /// <summary>The rate asked for, or <c>max</c>.</summary>
    public string RateName => Rate is { } r ? r.ToString("0.##", CultureInfo.InvariantCulture) : "max";

    /// <summary>NATS messages out per message in that this step's traffic must show: g for events alone, (2 + g) / 3 for chat sends.</summary>
    public double ExpectedOutPerIn => Kind == NatsBenchStepKind.Publish ? Fanout : (2.0 + Fanout) / 3.0;
}

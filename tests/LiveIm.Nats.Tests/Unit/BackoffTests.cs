namespace LiveIm.Nats.Tests.Unit;

public class BackoffTests
{
    [Fact]
    public void Backoff_grows_exponentially_with_jitter_and_stays_between_min_and_max()
    {
        var min = TimeSpan.FromMilliseconds(50);
        var max = TimeSpan.FromSeconds(2);
        for (var attempt = 0; attempt < 40; attempt++)
        {
            for (var sample = 0; sample < 50; sample++)
            {
                var wait = NatsConnection.Backoff(attempt, min, max);
                var ceiling = Math.Min(50 * Math.Pow(2, Math.Min(attempt, 30)), 2000);

                Assert.InRange(wait.TotalMilliseconds, Math.Max(50, ceiling / 2), ceiling);
            }
        }
    }

    [Fact]
    public void Backoff_is_jittered()
    {
        var waits = Enumerable.Range(0, 20)
            .Select(_ => NatsConnection.Backoff(5, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(2)))
            .Distinct()
            .Count();

        Assert.True(waits > 1);
    }
}

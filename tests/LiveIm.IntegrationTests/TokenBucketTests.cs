using System.Threading.RateLimiting;
using LiveIm.RoomGateway.Limits;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>The gateway's token bucket against a fake clock (1 tick = 1 µs): burst, refill by elapsed time, retry hints.</summary>
public sealed class TokenBucketTests
{
    private const long Frequency = 1_000_000;
    private const long Ms = Frequency / 1000;
    private const long T0 = 1_000_000_000; // any clock value: buckets never assume one starting at 0

    [Fact]
    public void A_new_bucket_allows_its_burst_at_once_then_refuses_with_the_time_to_the_next_token()
    {
        var bucket = new TokenBucket(2, 5, Frequency);
        long state = 0;
        for (var i = 0; i < 5; i++)
        {
            Assert.True(bucket.TryTake(ref state, T0, out _), $"call {i + 1} of the burst");
        }

        Assert.False(bucket.TryTake(ref state, T0, out var retry));
        Assert.Equal(500, retry);
    }

    [Fact]
    public void The_retry_hint_counts_the_time_already_waited_and_is_never_below_one_ms()
    {
        var bucket = new TokenBucket(2, 1, Frequency);
        long state = 0;
        Assert.True(bucket.TryTake(ref state, T0, out _));
        Assert.False(bucket.TryTake(ref state, T0 + 200 * Ms, out var retry));
        Assert.Equal(300, retry);
        Assert.False(bucket.TryTake(ref state, T0 + 499_999, out retry));
        Assert.Equal(1, retry);
        Assert.True(bucket.TryTake(ref state, T0 + 500 * Ms, out _), "exactly one interval later a token is there");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 3)]
    [InlineData(4, 4)]
    [InlineData(5, 5)]
    [InlineData(6, 5)]
    [InlineData(1000, 5)]
    public void A_drained_bucket_refills_one_token_per_interval_over_several_idle_intervals_up_to_its_burst(int idleIntervals, int expected)
    {
        var bucket = new TokenBucket(2, 5, Frequency);
        long state = 0;
        while (bucket.TryTake(ref state, T0, out _))
        {
        }

        var later = T0 + idleIntervals * 500 * Ms;
        var taken = 0;
        while (bucket.TryTake(ref state, later, out _))
        {
            taken++;
        }

        Assert.Equal(expected, taken);
    }

    [Fact]
    public void Two_and_a_half_idle_intervals_give_two_tokens_and_half_an_interval_to_wait()
    {
        var bucket = new TokenBucket(10, 20, Frequency);
        long state = 0;
        while (bucket.TryTake(ref state, T0, out _))
        {
        }

        var later = T0 + 250 * Ms;
        Assert.True(bucket.TryTake(ref state, later, out _));
        Assert.True(bucket.TryTake(ref state, later, out _));
        Assert.False(bucket.TryTake(ref state, later, out var retry));
        Assert.Equal(50, retry);
    }

    [Fact]
    public void A_bucket_idle_while_full_does_not_save_up_more_than_its_burst()
    {
        var bucket = new TokenBucket(2, 5, Frequency);
        long state = 0;
        Assert.True(bucket.TryTake(ref state, T0, out _));
        var muchLater = T0 + 3_600_000 * Ms;
        var taken = 0;
        while (bucket.TryTake(ref state, muchLater, out _))
        {
            taken++;
        }

        Assert.Equal(5, taken);
        Assert.False(bucket.TryTake(ref state, muchLater + 10 * Ms, out _), "and right after the burst it is empty again");
    }

    [Fact]
    public void A_client_calling_every_10_ms_for_60_s_gets_the_rate_plus_one_burst()
    {
        var bucket = new TokenBucket(2, 5, Frequency);
        long state = 0;
        var taken = 0;
        for (var t = 0L; t <= 60_000; t += 10)
        {
            if (bucket.TryTake(ref state, T0 + t * Ms, out _))
            {
                taken++;
            }
        }

        Assert.Equal(5 + 120, taken);
    }

    [Fact]
    public void Calls_from_many_threads_at_once_take_exactly_the_burst()
    {
        var bucket = new TokenBucket(1, 50, Frequency);
        long state = 0;
        var taken = 0;
        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 1000; i++)
            {
                if (bucket.TryTake(ref state, T0, out _))
                {
                    Interlocked.Increment(ref taken);
                }
            }
        });
        Assert.Equal(50, taken);
    }

    [Fact]
    public void Fractional_rates_work()
    {
        var bucket = new TokenBucket(0.5, 1, Frequency);
        long state = 0;
        Assert.True(bucket.TryTake(ref state, T0, out _));
        Assert.False(bucket.TryTake(ref state, T0 + 1000 * Ms, out var retry));
        Assert.Equal(1000, retry);
        Assert.True(bucket.TryTake(ref state, T0 + 2000 * Ms, out _));
    }

    /// <summary>
    /// Why the gateway does not use the framework's limiter lazily (TokenBucket's remarks): without auto-replenishment,
    /// TryReplenish on a full bucket returns without moving the limiter's clock, so the next TryReplenish after a drain
    /// credits the whole idle spell. An ideal bucket drained a moment ago has nothing to give; this one refills.
    /// </summary>
    [Fact]
    public async Task The_framework_limiter_without_auto_replenishment_refills_a_drained_bucket_at_once_after_an_idle_full_spell()
    {
        using var limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = 5, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromMilliseconds(100), AutoReplenishment = false, QueueLimit = 0,
        });
        await Task.Delay(600);
        Assert.True(limiter.TryReplenish());
        for (var i = 0; i < 5; i++)
        {
            Assert.True(limiter.AttemptAcquire().IsAcquired);
        }

        Assert.False(limiter.AttemptAcquire().IsAcquired, "drained");
        limiter.TryReplenish();
        var again = 0;
        while (again < 10 && limiter.AttemptAcquire().IsAcquired)
        {
            again++;
        }

        Assert.True(again >= 4, $"expected the idle time to be credited at once, got {again} tokens back");
    }
}

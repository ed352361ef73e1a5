using System.Diagnostics.Metrics;
using LiveIm.RoomGateway.Limits;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>The per-call decisions against a fake clock (no servers): calls in flight, join admission, flood, state.</summary>
public sealed class CallLimiterTests : IDisposable
{
    private readonly Meter _meter = new("test.limiter");
    private readonly ManualClock _clock = new();

    public void Dispose() => _meter.Dispose();

    [Fact]
    public void A_call_past_the_calls_in_progress_is_refused_at_once_and_admitted_when_one_ends()
    {
        var limiter = Limiter(new LimitsOptions { MaxPendingInvocations = 2 });
        var first = limiter.TryBeginCall("c", CallKind.Gift, default);
        var second = limiter.TryBeginCall("c", CallKind.Gift, default);
        var third = limiter.TryBeginCall("c", CallKind.Gift, default);
        Assert.Null(first.Refusal);
        Assert.Null(second.Refusal);
        Assert.Equal("rate_limited: more than 2 calls in progress per connection retryAfterMs=100", third.Refusal?.ToClientMessage());

        CallLimiter.EndCall(first);
        Assert.Null(limiter.TryBeginCall("c", CallKind.Gift, default).Refusal);
        Assert.Null(limiter.TryBeginCall("other-connection", CallKind.Gift, default).Refusal);
    }

    [Fact]
    public void Joins_pass_the_connections_limit_then_the_gateways_admission()
    {
        var limiter = Limiter(new LimitsOptions { JoinsPerSecond = 1, JoinsBurst = 2 });
        Assert.Null(Join(limiter, "a").Refusal);
        Assert.Null(Join(limiter, "b").Refusal);
        var refused = Join(limiter, "c");
        Assert.Equal("rate_limited: gateway join admission limit of 1/s retryAfterMs=1000", refused.Refusal?.ToClientMessage());

        _clock.Advance(TimeSpan.FromMilliseconds(400));
        Assert.Equal("rate_limited: gateway join admission limit of 1/s retryAfterMs=600", Join(limiter, "c").Refusal?.ToClientMessage());
        _clock.Advance(TimeSpan.FromMilliseconds(600));
        Assert.Null(Join(limiter, "c").Refusal);
    }

    [Fact]
    public void A_connection_out_of_joins_does_not_use_up_the_gateways_admission()
    {
        var limiter = Limiter(new LimitsOptions { JoinPerSecond = 1, JoinBurst = 1, JoinsPerSecond = 1, JoinsBurst = 2 });
        Assert.Null(Join(limiter, "greedy").Refusal);
        for (var i = 0; i < 10; i++)
        {
            Assert.StartsWith("rate_limited: join limit of 1/s per connection", Join(limiter, "greedy").Refusal?.ToClientMessage(), StringComparison.Ordinal);
        }

        Assert.Null(Join(limiter, "polite").Refusal);
    }

    [Fact]
    public void Refusals_beyond_FloodStrikes_at_once_flag_a_flood_exactly_once()
    {
        var limiter = Limiter(new LimitsOptions { ChatPerSecond = 1, ChatBurst = 1, FloodStrikes = 100, FloodWindowSeconds = 10 });
        Assert.Null(limiter.TryBeginCall("c", CallKind.Chat, default).Refusal);
        for (var strike = 1; strike <= 100; strike++)
        {
            var refused = limiter.TryBeginCall("c", CallKind.Chat, default);
            Assert.NotNull(refused.Refusal);
            Assert.False(refused.Flood, $"strike {strike} of 100 is not a flood yet");
        }

        Assert.True(limiter.TryBeginCall("c", CallKind.Chat, default).Flood, "the 101st is");
        Assert.False(limiter.TryBeginCall("c", CallKind.Chat, default).Flood, "and it is flagged once");
    }

    [Fact]
    public void Refusals_at_the_windows_pace_never_flag_a_flood()
    {
        var limiter = Limiter(new LimitsOptions { ChatPerSecond = 1, ChatBurst = 1, FloodStrikes = 100, FloodWindowSeconds = 10 });
        Assert.Null(limiter.TryBeginCall("c", CallKind.Chat, default).Refusal);
        for (var i = 0; i < 2000; i++)
        {
            // 10 refusals a second, for 200 s: exactly what leaks away.
            _clock.Advance(TimeSpan.FromMilliseconds(100));
            var outcome = limiter.TryBeginCall("c", CallKind.Chat, default);
            Assert.False(outcome.Flood);
            if (outcome.Refusal is null)
            {
                CallLimiter.EndCall(outcome);
            }
        }
    }

    [Fact]
    public void State_is_created_on_a_first_call_and_dropped_on_forget_or_when_the_connection_is_already_gone()
    {
        var limiter = Limiter(new LimitsOptions());
        Assert.Equal(0, limiter.TrackedConnections);
        CallLimiter.EndCall(limiter.TryBeginCall("a", CallKind.Like, default));
        CallLimiter.EndCall(limiter.TryBeginCall("a", CallKind.Chat, default));
        CallLimiter.EndCall(limiter.TryBeginCall("b", CallKind.Other, default));
        Assert.Equal(2, limiter.TrackedConnections);

        limiter.Forget("a");
        limiter.Forget("a");
        Assert.Equal(1, limiter.TrackedConnections);

        // A call that starts after its connection was aborted (and possibly after Forget ran) leaves nothing behind.
        CallLimiter.EndCall(limiter.TryBeginCall("late", CallKind.Other, new CancellationToken(canceled: true)));
        Assert.Equal(1, limiter.TrackedConnections);
        limiter.Forget("b");
        Assert.Equal(0, limiter.TrackedConnections);
    }

    private CallLimiter.Admission Join(CallLimiter limiter, string connection)
    {
        var admission = limiter.TryBeginCall(connection, CallKind.Join, default);
        if (admission.Refusal is null)
        {
            CallLimiter.EndCall(admission);
        }

        return admission;
    }

    private CallLimiter Limiter(LimitsOptions options)
    {
        options.Validate();
        return new CallLimiter(options, new LimitsMetrics(_meter), _clock);
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _now = 1_000_000_000_000;

        public override long TimestampFrequency => 1_000_000_000;

        public override long GetTimestamp() => _now;

        public void Advance(TimeSpan by) => _now += (long)(by.TotalSeconds * TimestampFrequency);
    }
}

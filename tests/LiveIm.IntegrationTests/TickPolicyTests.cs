using LiveIm.RoomGateway.Delivery;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// The tick follows what frames measurably cost, and the gateway stretches every tick when it is over its budget:
/// fed with scripted CPU and frame readings (no timing in the test: the readings are the machine).
/// </summary>
public sealed class TickPolicyTests
{
    private sealed class Machine
    {
        public long Frames;
        public TimeSpan Cpu;
        public long NowMs;

        public TickPolicy Policy(FanoutOptions options, int cores = 2) => new(options, () => Frames, () => Cpu, () => NowMs, cores);

        // One sample window: `frames` frames written at `microsPerFrame` of CPU each, over `ms` of wall time.
        public void Run(TickPolicy policy, long frames, double microsPerFrame, long ms = 1000)
        {
            Frames += frames;
            Cpu += TimeSpan.FromMicroseconds(frames * microsPerFrame);
            NowMs += ms;
            policy.Sample();
        }
    }

    [Fact]
    public void A_slower_machine_gets_a_longer_tick_for_the_same_room()
    {
        var options = new FanoutOptions { FrameCostMicros = 10, GatewayCoreShare = 1 };
        var fast = new Machine();
        var slow = new Machine();
        var onFast = fast.Policy(options);
        var onSlow = slow.Policy(options);
        for (var i = 0; i < 20; i++)
        {
            fast.Run(onFast, 20_000, 3);   // 3 µs a frame
            slow.Run(onSlow, 20_000, 20);  // 20 µs a frame
        }

        Assert.InRange(onFast.FrameCostMicros, 2.9, 3.1);
        Assert.InRange(onSlow.FrameCostMicros, 19.5, 20.5);
        Assert.InRange(onFast.TickFor(10_000), 59, 61);   // 10,000 x 3 µs / 0.5 core
        Assert.InRange(onSlow.TickFor(10_000), 399, 401); // 10,000 x 20 µs / 0.5 core
    }

    [Fact]
    public void A_window_with_too_few_frames_keeps_the_estimate()
    {
        var machine = new Machine();
        var policy = machine.Policy(new FanoutOptions { FrameCostMicros = 10 });
        machine.Run(policy, 10, 5_000); // start-up: JIT and joins, hardly any frames
        Assert.Equal(10, policy.FrameCostMicros);
    }

    [Fact]
    public void Over_budget_every_tick_stretches_up_to_the_max_and_shrinks_back_when_the_load_goes()
    {
        var options = new FanoutOptions { FrameCostMicros = 10, GatewayCoreShare = 0.75, TickMs = 50, MaxTickMs = 500 };
        var machine = new Machine();
        var policy = machine.Policy(options, cores: 2);
        var calm = policy.TickFor(1_000);
        Assert.Equal(50, calm);
        for (var i = 0; i < 30; i++)
        {
            machine.Run(policy, 180_000, 10); // 1.8 cores of 2: over the 0.75 budget
        }

        Assert.True(policy.Pressure > 1);
        Assert.Equal(500, policy.TickFor(1_000));
        Assert.True(policy.ReliableTickFor(1_000) <= policy.TickFor(1_000));
        for (var i = 0; i < 60; i++)
        {
            machine.Run(policy, 10_000, 10); // 0.05 core
        }

        Assert.Equal(1, policy.Pressure);
        Assert.Equal(calm, policy.TickFor(1_000));
    }

    [Fact]
    public void Flushes_that_start_late_stretch_the_ticks_even_when_this_process_uses_little_cpu()
    {
        var machine = new Machine();
        var policy = machine.Policy(new FanoutOptions { FrameCostMicros = 10 });
        for (var i = 0; i < 5; i++)
        {
            for (var f = 0; f < 10; f++)
            {
                policy.FlushStarted(lateMs: 150, tickMs: 200); // the machine is busy with someone else
            }

            machine.Run(policy, 1_000, 10);
        }

        Assert.True(policy.Pressure > 2, $"pressure {policy.Pressure}");
    }

    [Fact]
    public void A_gift_waits_at_most_the_reliable_tick_and_never_longer_than_the_rooms_own_tick()
    {
        var policy = TickPolicy.Fixed(new FanoutOptions { ReliableTickMs = 100 });
        Assert.Equal(100, policy.ReliableTickFor(10_000)); // the room's chat tick is 200 ms
        Assert.Equal(50, policy.ReliableTickFor(10));      // a small room's tick is already 50 ms
    }
}

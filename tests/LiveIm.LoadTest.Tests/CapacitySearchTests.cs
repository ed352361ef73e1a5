using LiveIm.LoadTest.Fanout;
using Xunit;

namespace LiveIm.LoadTest.Tests;

public sealed class CapacitySearchTests
{
    [Fact]
    public async Task Doubling_then_bisection_lands_within_the_resolution_below_the_true_capacity()
    {
        var tried = new List<double>();
        var (capacity, atLeast) = await CapacitySearch.RunAsync(25, 20_000, 3, Passes(tried, limit: 137));

        // 25, 50, 100, 200 (fail), then 150 (fail), 125 (pass), 138 (fail).
        Assert.Equal([25, 50, 100, 200, 150, 125, 138], tried);
        Assert.Equal(125, capacity);
        Assert.False(atLeast);
    }

    [Fact]
    public async Task A_failing_start_halves_down_until_a_step_passes()
    {
        var tried = new List<double>();
        var (capacity, _) = await CapacitySearch.RunAsync(5, 20_000, 2, Passes(tried, limit: 0.7));

        // 5 (fail), 2.5 (fail), 1.2 (fail), 0.6 (pass), then bisection 0.9 (fail), 0.8 (fail).
        Assert.Equal([5, 2.5, 1.2, 0.6, 0.9, 0.8], tried);
        Assert.Equal(0.6, capacity);
    }

    [Fact]
    public async Task Nothing_passing_gives_capacity_zero()
    {
        var tried = new List<double>();
        var (capacity, atLeast) = await CapacitySearch.RunAsync(5, 20_000, 3, Passes(tried, limit: 0));
        Assert.Equal(0, capacity);
        Assert.False(atLeast);
        Assert.Equal([5, 2.5, 1.2, 0.6], tried); // halving stops below 0.5 msg/s; no bisection without a pass
    }

    [Fact]
    public async Task Passing_at_the_maximum_reports_at_least_the_maximum()
    {
        var tried = new List<double>();
        var (capacity, atLeast) = await CapacitySearch.RunAsync(100, 300, 3, Passes(tried, limit: 1_000));
        Assert.Equal([100, 200, 300], tried);
        Assert.Equal(300, capacity);
        Assert.True(atLeast);
    }

    [Fact]
    public async Task No_bisection_steps_stops_at_the_first_failure()
    {
        var tried = new List<double>();
        var (capacity, _) = await CapacitySearch.RunAsync(10, 1_000, 0, Passes(tried, limit: 50));
        Assert.Equal([10, 20, 40, 80], tried);
        Assert.Equal(40, capacity);
    }

    private static Func<double, Task<bool>> Passes(List<double> tried, double limit) => rate =>
    {
        tried.Add(rate);
        return Task.FromResult(rate <= limit);
    };
}

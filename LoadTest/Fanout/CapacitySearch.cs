namespace LiveIm.LoadTest.Fanout;

/// <summary>
/// Finds the highest chat rate whose step passes: ×2 from the start rate while steps pass (up to the maximum); when
/// the first step fails, halving (at most four times) until one passes; then bisection between the last passing and
/// the first failing rate until they are within 15 % or the bisection budget is spent.
/// </summary>
public static class CapacitySearch
{
    /// <summary>Bisection stops when the first failing rate is within this factor of the last passing one.</summary>
    public const double Resolution = 1.15;

    /// <summary>Runs the search; <paramref name="tryRate"/> runs one step and says whether it passed.</summary>
    /// <returns>The highest passing rate (0 when none passed), and whether even <paramref name="maxRate"/> passed.</returns>
    public static async Task<(double Capacity, bool AtLeast)> RunAsync(double startRate, double maxRate, int bisectSteps, Func<double, Task<bool>> tryRate)
    {
        ArgumentNullException.ThrowIfNull(tryRate);
        double? lastPass = null, firstFail = null;
        var rate = Round(Math.Min(startRate, maxRate));
        while (true)
        {
            if (!await tryRate(rate).ConfigureAwait(false))
            {
                firstFail = rate;
                break;
            }

            lastPass = rate;
            if (rate >= maxRate)
            {
                return (rate, true);
            }

            rate = Round(Math.Min(rate * 2, maxRate));
        }

        for (var down = 0; down < 4 && lastPass is null; down++)
        {
            rate = Round(rate / 2);
            if (rate < 0.5)
            {
                break;
            }

            if (await tryRate(rate).ConfigureAwait(false))
            {
                lastPass = rate;
            }
            else
            {
                firstFail = rate;
            }
        }

        for (var i = 0; i < bisectSteps && lastPass is { } pass && firstFail is { } fail && fail / pass > Resolution; i++)
        {
            var middle = Round((pass + fail) / 2);
            if (middle <= pass || middle >= fail)
            {
                break;
            }

            if (await tryRate(middle).ConfigureAwait(false))
            {
                lastPass = middle;
            }
            else
            {
                firstFail = middle;
            }
        }

        return (lastPass ?? 0, false);
    }

    /// <summary>Whole rates from 10 msg/s up (they read better in the report); below, one decimal keeps small steps distinct.</summary>
    public static double Round(double rate) => rate >= 10 ? Math.Round(rate) : Math.Round(rate, 1);
}

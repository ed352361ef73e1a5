using System.Diagnostics;

namespace LiveIm.LoadTest.Runner;

/// <summary>Runs and measures one named step of an iteration (NBomber's <c>Step.Run</c>).</summary>
public static class Step
{
    /// <summary>
    /// Runs <paramref name="run"/> and records its response and latency under <paramref name="name"/>. The first step of
    /// an iteration is measured from the iteration's due time, the others from their call. An exception is a failure
    /// with code <c>exception</c>; cancellation because the copy was retired or the run ended is not recorded.
    /// </summary>
    public static async Task<Response> RunAsync(string name, ScenarioContext context, Func<Task<Response>> run)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(run);
        var stats = context.Metrics.Step(context.ScenarioName, name);
        var start = context.TakeStepStart();
        Response response;
        try
        {
            response = await run().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A step that throws is a failed step; the run goes on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            response = Response.Fail("exception", ex.GetType().Name + ": " + ex.Message);
        }

        stats.Record(response, start, Stopwatch.GetTimestamp());
        return response;
    }
}

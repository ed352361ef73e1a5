namespace LiveIm.Testing;

/// <summary>Polls a condition until it holds or a deadline passes (for asynchronous effects).</summary>
public static class Eventually
{
    /// <summary>Waits until <paramref name="condition"/> is true; throws with <paramref name="because"/> otherwise.</summary>
    public static async Task TrueAsync(Func<bool> condition, TimeSpan timeout, string because)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#}s waiting for: {because}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Waits until the asynchronous <paramref name="condition"/> is true.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string because)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#}s waiting for: {because}");
            }

            await Task.Delay(50);
        }
    }
}

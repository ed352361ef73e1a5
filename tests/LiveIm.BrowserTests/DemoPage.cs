using Microsoft.Playwright;

namespace LiveIm.BrowserTests;

/// <summary>A demo page in a tab, and everything its console said at level error (and every uncaught exception).</summary>
public sealed class DemoPage
{
    private readonly List<string> _errors = [];

    public DemoPage(IPage page)
    {
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (_errors)
                {
                    _errors.Add($"console.error: {message.Text} ({message.Location})");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (_errors)
            {
                _errors.Add("uncaught: " + error);
            }
        };
    }

    public IPage Page { get; }

    /// <summary>The console errors so far.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    /// <summary>The connection state the page shows (<c>#state[data-state]</c>).</summary>
    public async Task<string?> StateAsync() => await Page.GetAttributeAsync("#state", "data-state");

    /// <summary>The gateway the page is connected to (<c>#state[data-gateway]</c>).</summary>
    public async Task<string?> GatewayAsync() => await Page.GetAttributeAsync("#state", "data-gateway");

    /// <summary>Evaluates <paramref name="expression"/> in the page.</summary>
    public Task<T> EvalAsync<T>(string expression) => Page.EvaluateAsync<T>(expression);

    /// <summary>Polls <paramref name="expression"/> until it is true.</summary>
    public Task WaitForAsync(string expression, TimeSpan timeout, string because) =>
        LiveIm.Testing.Eventually.TrueAsync(async () => await Page.EvaluateAsync<bool>(expression), timeout, because);

    public Task CloseAsync() => Page.CloseAsync();
}

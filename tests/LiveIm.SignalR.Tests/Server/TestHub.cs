using Microsoft.AspNetCore.SignalR;

namespace LiveIm.SignalR.Tests.Server;

public sealed record Point(int X, int Y);

/// <summary>The hub the integration tests talk to. Methods are tiny on purpose: each exercises one protocol path.</summary>
public class TestHub : Hub
{
    public string Echo(string text) => text;

    public int Add(int a, int b) => a + b;

    public Point Mirror(Point point) => new(point.Y, point.X);

    public void Nothing()
    {
    }

    public void Fail() => throw new Microsoft.AspNetCore.SignalR.HubException("invalid_argument: nope");

    public Task Broadcast(string text) => Clients.All.SendAsync("message", text);

    public Task Notify(string text) => Clients.Caller.SendAsync("notified", text);

    public Task SendPoint() => Clients.Caller.SendAsync("point", new Point(1, 2), "second");

    public void Abort() => Context.Abort();

    public async Task SlowVoid() => await Task.Delay(TimeSpan.FromSeconds(10), Context.ConnectionAborted);

    public string? WhoAmI() => Context.GetHttpContext()?.Request.Query["access_token"];

    /// <summary>Asks the caller for a client result; returns the error our client answers with.</summary>
    public async Task<string> AskClient()
    {
        try
        {
            return await Clients.Caller.InvokeAsync<string>("question", "why?", CancellationToken.None);
        }
        catch (Exception ex)
        {
            return ex.Message;
        }
    }
}

/// <summary>Same methods, tiny <c>MaximumReceiveMessageSize</c>: a large message makes the server close with an error.</summary>
public sealed class SmallMessageHub : TestHub
{
}

/// <summary>Same methods, 2 s client timeout and 500 ms server pings: for keep-alive tests.</summary>
public sealed class ShortTimeoutHub : TestHub
{
}

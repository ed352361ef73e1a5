using LiveIm.Nats;
using LiveIm.Testing;

namespace LiveIm.Nats.Tests.Infrastructure;

/// <summary>One real nats-server per test class; each test uses its own subjects.</summary>
public class NatsServerFixture : IAsyncLifetime
{
    private readonly string[] _args;

    public NatsServerFixture()
        : this([])
    {
    }

    protected NatsServerFixture(string[] args)
    {
        _args = args;
    }

    public NatsServer Server { get; private set; } = null!;

    public string Url => Server.Url;

    public async Task InitializeAsync()
    {
        Server = await NatsServer.StartNewAsync(_args);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
    }

    /// <summary>A connected client with test-friendly timings; dispose it with <c>await using</c>.</summary>
    public async Task<NatsConnection> ConnectAsync(Func<NatsOptions, NatsOptions>? configure = null)
    {
        var options = TestOptions.For(Url);
        var connection = new NatsConnection(configure?.Invoke(options) ?? options);
        await connection.ConnectAsync();
        return connection;
    }
}

/// <summary>A server that requires user <c>a</c>, password <c>b</c>.</summary>
public sealed class AuthNatsServerFixture : NatsServerFixture
{
    public AuthNatsServerFixture()
        : base(["--user", "a", "--pass", "b"])
    {
    }
}

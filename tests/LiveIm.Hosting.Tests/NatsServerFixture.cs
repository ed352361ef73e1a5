using LiveIm.Testing;

namespace LiveIm.Hosting.Tests;

/// <summary>One nats-server for the tests that do not stop it; each test uses subjects of its own.</summary>
public sealed class NatsServerFixture : IAsyncLifetime
{
    public NatsServer Server { get; } = new();

    public string Url => Server.Url;

    public Task InitializeAsync() => Server.StartAsync();

    public Task DisposeAsync() => Server.DisposeAsync().AsTask();

    /// <summary>A subject no other test uses.</summary>
    public static string Subject(string what) => $"test.{what}.{Guid.NewGuid():N}";
}

[CollectionDefinition(Name)]
public sealed class NatsCollection : ICollectionFixture<NatsServerFixture>
{
    public const string Name = "nats";
}

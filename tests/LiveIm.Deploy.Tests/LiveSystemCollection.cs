namespace LiveIm.Deploy.Tests;

/// <summary>The tests that share one <see cref="LiveSystem"/> (started once: five processes).</summary>
[CollectionDefinition(Name)]
public sealed class LiveSystemCollection : ICollectionFixture<LiveSystem>
{
    /// <summary>The collection name.</summary>
    public const string Name = "live system";
}

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>Test classes in this collection share one private ClickHouse (and run one at a time).</summary>
[CollectionDefinition("ClickHouse")]
public sealed class ClickHouseFixtureDefinition : ICollectionFixture<PrivateClickHouse>
{
}

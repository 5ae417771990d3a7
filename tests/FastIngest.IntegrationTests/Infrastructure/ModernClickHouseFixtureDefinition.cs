namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>Test classes that need modern ClickHouse (26.7, chDB in this process: one connection, so one collection).</summary>
[CollectionDefinition("ModernClickHouse")]
public sealed class ModernClickHouseFixtureDefinition : ICollectionFixture<ModernClickHouse>
{
}

using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.ClickHouse;

/// <summary>
/// The cookbook on modern ClickHouse (26.7 through chDB): the same traffic through the same server gives the
/// same answers as on 18.16, rollups and raw rows included (issue 16: "the same cookbook answers").
/// </summary>
[Collection("ModernClickHouse")]
[Trait("Category", "Integration")]
public sealed class ModernClickHouseAnalystQueryTests(ModernClickHouse clickHouse)
{
    [Fact]
    public Task EveryCookbookQueryRunsAndAddsUp() =>
        AnalystQueryTests.EveryCookbookQueryRunsAndAddsUpAsync(
            (db, args) => ServerProcess.StartAsync(clickHouse, db, args),
            sql => Task.FromResult(clickHouse.Query(sql)));
}

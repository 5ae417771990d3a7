using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Import;

/// <summary>Issue 16, item 2 on ClickHouse 26.7 (chDB): the same schema, imports and checks as on 18.16.</summary>
[Collection("ModernClickHouse")]
[Trait("Category", "Integration")]
public sealed class ModernClickHouseRollupTests(ModernClickHouse clickHouse, ITestOutputHelper output)
{
    [Fact]
    public async Task ThreeDaysOfTrafficAddUpTheSameInEveryMinuteHourAndDayTable()
    {
        string db = UniqueName.For("modern_rollups");
        using var temp = new TempFolder("rollups");
        var traffic = new RollupTraffic(clickHouse.HttpUri, sql => Task.FromResult(clickHouse.Query(sql)), output);

        await traffic.ImportAsync(db, temp.Path);
        await traffic.InsertEventsAsync(db);
        await traffic.AssertEveryGrainAgreesAsync(db);

        await traffic.BackfillAsync(db);
        await traffic.AssertEveryGrainAgreesAsync(db, backfilled: true);
    }
}

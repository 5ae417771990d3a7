using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.ClickHouse;

/// <summary>Issue 16, item 2 on ClickHouse 18.16: three days of traffic give the same totals in every minute, hour and day table.</summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class RollupTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    [Fact]
    public async Task ThreeDaysOfTrafficAddUpTheSameInEveryMinuteHourAndDayTable()
    {
        string db = UniqueName.For("rollups");
        using var temp = new TempFolder("rollups");
        var traffic = new RollupTraffic(clickHouse.HttpUri, clickHouse.QueryAsync, output);

        await traffic.ImportAsync(db, temp.Path);
        await traffic.InsertEventsAsync(db);

        await traffic.AssertEveryGrainAgreesAsync(db);
    }

    [Fact]
    public async Task TheBackfillGivesRowsFromBeforeTheUpgradeTheSameTotals()
    {
        string db = UniqueName.For("rollups_backfill");
        using var temp = new TempFolder("rollups");
        var traffic = new RollupTraffic(clickHouse.HttpUri, clickHouse.QueryAsync, output);
        await traffic.ImportAsync(db, temp.Path);
        await traffic.InsertEventsAsync(db);

        await traffic.BackfillAsync(db);

        await traffic.AssertEveryGrainAgreesAsync(db, backfilled: true);
    }
}

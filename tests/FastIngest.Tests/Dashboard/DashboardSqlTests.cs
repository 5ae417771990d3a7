using FastIngest.Core.Reading.Dashboard;

namespace FastIngest.Tests.Dashboard;

public sealed class DashboardSqlTests
{
    private static PanelRequest Request(string tz, DateTime from, DateTime to, string tenant = "shop")
    {
        Assert.True(DashboardTimeZone.TryFind(tz, out DashboardTimeZone zone));
        return new PanelRequest(tenant, DashboardRange.TryCreate(from, to, zone, out _)!, 10);
    }

    private static DateTime Utc(int day, int hour = 0) => new(2026, 11, day, hour, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void TrafficPicksItsTableByGrainAndZone()
    {
        Assert.Contains("FROM db.traffic_1m ", TrafficPanel.Sql("db", Request("UTC", Utc(25, 0), Utc(25, 6))), StringComparison.Ordinal);
        Assert.Contains("FROM db.traffic_1h ", TrafficPanel.Sql("db", Request("UTC", Utc(20), Utc(25))), StringComparison.Ordinal);
        string utcDays = TrafficPanel.Sql("db", Request("UTC", Utc(1), Utc(25)));
        Assert.Contains("FROM db.traffic_1d WHERE tenant = 'shop' AND day >= toDate('2026-11-01') AND day < toDate('2026-11-25')", utcDays, StringComparison.Ordinal);
        string berlinDays = TrafficPanel.Sql("db", Request("Europe/Berlin", Utc(1), Utc(25)));
        Assert.Contains("toString(toDate(hour, 'Europe/Berlin'))", berlinDays, StringComparison.Ordinal);
        Assert.Contains("FROM db.traffic_1h ", berlinDays, StringComparison.Ordinal);
    }

    [Fact]
    public void TheTenantIsQuotedEvenThoughItWasChecked()
    {
        // PanelParameters refuses such a name; the SQL builders quote whatever they get all the same.
        string sql = TopListPanels.CountSql("db", Request("UTC", Utc(1), Utc(2), "x' OR 1=1 --"), "events", "path", "events");
        Assert.Contains(@"tenant = 'x\' OR 1=1 --'", sql, StringComparison.Ordinal);
    }

    [Fact]
    public void TopListsAreBoundedByTheLimit()
    {
        string sql = TopListPanels.FilesSql("db", Request("UTC", Utc(1), Utc(2)), byBytes: true);
        Assert.Contains("FROM db.paths_1d ", sql, StringComparison.Ordinal);
        Assert.Contains("ORDER BY body_bytes_sent DESC, requests DESC, path LIMIT 10 ", sql, StringComparison.Ordinal);
    }

    [Fact]
    public void TheTenantListAsksOneMoreThanItShows()
    {
        Assert.Contains("LIMIT 201 ", TenantList.Sql("db", null, 200), StringComparison.Ordinal);
        Assert.Contains("startsWith(tenant, 'sh')", TenantList.Sql("db", "sh", 200), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10L, 8L, 0.25)]
    [InlineData(0L, 8L, -1.0)]
    [InlineData(5L, 0L, null)]
    [InlineData(null, 5L, null)]
    public void ChangeIsValueOverPreviousMinusOne(long? value, long? previous, double? change) =>
        Assert.Equal(change, SummaryPanel.Change(value, previous));
}

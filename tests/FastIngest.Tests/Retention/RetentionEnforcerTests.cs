using ClickHouse.Driver;
using FastIngest.Core.ClickHouse;
using FastIngest.Core.Retention;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastIngest.Tests.Retention;

public sealed class RetentionEnforcerTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 26, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ATableExpiresRowsOlderThanItsDays()
    {
        using ClickHouseClient client = ClickHouseClients.CreateClient(new ClickHouseOptions());
        var enforcer = new RetentionEnforcer(client, "fastingest", new RetentionRule(new Dictionary<string, int>()), () => s_now.AddDays(-3), TimeProvider.System, NullLogger.Instance);

        // The spool's oldest round only holds the ledger back, never another table.
        Assert.Equal(s_now.UtcDateTime.AddDays(-14), enforcer.Cutoff("traffic_1m", 14, s_now));
        Assert.Equal(s_now.UtcDateTime.AddDays(-7), enforcer.Cutoff(RetentionEnforcer.LedgerTable, 7, s_now));
    }

    [Fact]
    public void TheLedgerKeepsEveryRowARoundStillInTheSpoolCouldNeed()
    {
        // A round spooled 40 days ago (ClickHouse or FastIngest was down) may have been applied then, its
        // outcome unknown: its ledger row, written at that insert, must be there when the replay asks.
        DateTimeOffset spooled = s_now.AddDays(-40);
        using ClickHouseClient client = ClickHouseClients.CreateClient(new ClickHouseOptions());
        var enforcer = new RetentionEnforcer(client, "fastingest", new RetentionRule(new Dictionary<string, int>()), () => spooled, TimeProvider.System, NullLogger.Instance);

        DateTime cutoff = enforcer.Cutoff(RetentionEnforcer.LedgerTable, 7, s_now);

        Assert.Equal(spooled.UtcDateTime - RetentionEnforcer.ClockSlack, cutoff);
        var month = new PartitionKey("time", PartitionSpan.Month);
        Assert.False(month.IsExpired(spooled.ToString("yyyyMM", System.Globalization.CultureInfo.InvariantCulture), cutoff));
        Assert.True(month.IsExpired(spooled.AddMonths(-2).ToString("yyyyMM", System.Globalization.CultureInfo.InvariantCulture), cutoff));
    }
}

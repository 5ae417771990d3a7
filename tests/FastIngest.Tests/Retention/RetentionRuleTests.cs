using FastIngest.Core.Retention;

namespace FastIngest.Tests.Retention;

public sealed class RetentionRuleTests
{
    [Theory]
    [InlineData("traffic_1m", 14)]
    [InlineData("status_1m", 14)]
    [InlineData("pixel_1m", 14)]
    [InlineData("events_1m", 14)]
    [InlineData("traffic_1h", 400)]
    [InlineData("paths_1h", 400)]
    [InlineData("traffic_1d", 0)]
    [InlineData("paths_1d", 0)]
    [InlineData("visitors_1d", 0)]
    [InlineData("users_1d", 0)]
    [InlineData("ingest_errors", 30)]
    [InlineData("insert_ledger", 7)]
    [InlineData("requests_raw", 7)]
    [InlineData("operators_own_table", 0)]
    [InlineData("traffic_1m_backup", 0)]
    public void TheRuleByNameCoversTablesItHasNotSeen(string table, int days)
    {
        Assert.Equal(days, RetentionRule.DefaultDays(table));
        Assert.Equal(days, new RetentionRule(new Dictionary<string, int>()).DaysFor(table));
    }

    [Fact]
    public void AnOverrideWinsOverTheRuleAndZeroKeeps()
    {
        var rule = new RetentionRule(new Dictionary<string, int> { ["traffic_1m"] = 30, ["paths_1h"] = 0, ["traffic_1d"] = 3650 });

        Assert.Equal(30, rule.DaysFor("traffic_1m"));
        Assert.Equal(0, rule.DaysFor("paths_1h"));
        Assert.Equal(3650, rule.DaysFor("traffic_1d"));
        Assert.Equal(14, rule.DaysFor("status_1m"));
    }

    [Theory]
    [InlineData("traffic_1m", 30, true)]
    [InlineData("traffic_1m", 0, true)]
    [InlineData("traffic_1m", -1, false)]
    [InlineData("traffic_1m", RetentionOptions.MaxDays + 1, false)]
    [InlineData("traffic-1m", 30, false)]
    [InlineData("db.traffic_1m", 30, false)]
    public void OptionsRefuseNegativeDaysAndNamesThatAreNoTable(string table, int days, bool valid)
    {
        var options = new RetentionOptions { Days = new Dictionary<string, int> { [table] = days } };

        var results = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();

        Assert.Equal(valid, results.Count == 0);
    }
}

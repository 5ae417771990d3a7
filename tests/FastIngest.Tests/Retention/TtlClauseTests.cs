using FastIngest.Core.Retention;

namespace FastIngest.Tests.Retention;

public sealed class TtlClauseTests
{
    [Theory]
    [InlineData("SummingMergeTree PARTITION BY toYYYYMM(minute) ORDER BY (tenant, minute) TTL minute + toIntervalDay(14) SETTINGS index_granularity = 8192", "minute + toIntervalDay(14)")]
    [InlineData("MergeTree PARTITION BY toYYYYMM(time) ORDER BY insert_id TTL time + toIntervalDay(7)", "time + toIntervalDay(7)")]
    [InlineData("SummingMergeTree() PARTITION BY toYYYYMM(minute) ORDER BY minute SETTINGS index_granularity = 8192", "")]
    [InlineData("MergeTree ORDER BY (TTL_col) SETTINGS index_granularity = 8192", "")]
    public void FindsTheTableTtlInEngineFull(string engineFull, string ttl) =>
        Assert.Equal(ttl, TtlClause.FromEngineFull(engineFull));

    [Theory]
    [InlineData("minute + toIntervalDay(14)", "minute", 14, true)]
    [InlineData("`minute` + toIntervalDay(14)", "minute", 14, true)]
    [InlineData("minute + INTERVAL 14 DAY", "minute", 14, true)]
    [InlineData("minute + toIntervalDay(30)", "minute", 14, false)]
    [InlineData("hour + toIntervalDay(14)", "minute", 14, false)]
    [InlineData("minute + toIntervalDay(14), minute + toIntervalDay(7) DELETE WHERE 1", "minute", 14, false)]
    [InlineData("", "minute", 14, false)]
    public void AnUnchangedTtlMatchesWhateverWayTheServerPrintsIt(string current, string column, int days, bool matches) =>
        Assert.Equal(matches, TtlClause.Matches(current, column, days));

    [Theory]
    [InlineData("minute + toIntervalDay(30)", "minute", true)]
    [InlineData("minute + INTERVAL 5 DAY", "minute", true)]
    [InlineData("minute + toIntervalMonth(1)", "minute", false)]
    [InlineData("hour + toIntervalDay(30)", "minute", false)]
    [InlineData("minute + toIntervalDay(30) TO VOLUME 'cold'", "minute", false)]
    public void OnlyATtlOfFastIngestsShapeIsOneItMayRemove(string current, string column, bool ours) =>
        Assert.Equal(ours, TtlClause.IsOurs(current, column));

    [Fact]
    public void TheExpressionIsTheOneModifyTtlTakes() =>
        Assert.Equal("minute + INTERVAL 14 DAY", TtlClause.Expression("minute", 14));
}

using FastIngest.Core.Retention;

namespace FastIngest.Tests.Retention;

public sealed class PartitionKeyTests
{
    [Theory]
    [InlineData("toYYYYMM(minute)", "minute", true)]
    [InlineData("toYYYYMM(`day`)", "day", true)]
    [InlineData("toYYYYMMDD(time)", "time", false)]
    [InlineData("toDate(time)", "time", false)]
    [InlineData("day", "day", false)]
    public void ReadsTheTimeColumnAndSpanOfTheKeysFastIngestUses(string expression, string column, bool months)
    {
        Assert.True(PartitionKey.TryParse(expression, out PartitionKey key));
        Assert.Equal(column, key.TimeColumn);
        Assert.Equal(months ? PartitionSpan.Month : PartitionSpan.Day, key.Span);
    }

    [Theory]
    [InlineData("")]
    [InlineData("tuple()")]
    [InlineData("(tenant, toYYYYMM(minute))")]
    [InlineData("toMonday(minute)")]
    [InlineData("intDiv(toUInt32(minute), 86400)")]
    public void RefusesKeysItCanNotReadARangeFrom(string expression) =>
        Assert.False(PartitionKey.TryParse(expression, out _));

    [Fact]
    public void AMonthPartitionHoldsItsWholeMonth()
    {
        var key = new PartitionKey("minute", PartitionSpan.Month);

        Assert.True(key.TryGetRange("202612", out DateTime start, out DateTime end));
        Assert.Equal(new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc), start);
        Assert.Equal(new DateTime(2027, 1, 1, 0, 0, 0, DateTimeKind.Utc), end);
        Assert.Equal(DateTimeKind.Utc, start.Kind);
        Assert.True(key.TryGetRange("202402", out _, out end));
        Assert.Equal(new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc), end);
    }

    [Theory]
    [InlineData("20261126")]
    [InlineData("2026")]
    [InlineData("202613")]
    [InlineData("all")]
    [InlineData("1700000000")]
    public void AMonthKeyRefusesIdsOfAnotherShape(string partitionId) =>
        Assert.False(new PartitionKey("minute", PartitionSpan.Month).TryGetRange(partitionId, out _, out _));

    [Fact]
    public void APartitionIsExpiredOnlyOnceItsWholeRangeIsPastTheCutoff()
    {
        var month = new PartitionKey("minute", PartitionSpan.Month);
        // 14 days on 26 November 2026: the cutoff is 12 November.
        DateTime cutoff = new DateTime(2026, 11, 26, 3, 0, 0, DateTimeKind.Utc).AddDays(-14);

        Assert.True(month.IsExpired("202610", cutoff));
        Assert.True(month.IsExpired("202511", cutoff));
        // November holds rows inside the window (and takes new ones): kept, though 1-11 November are past it.
        Assert.False(month.IsExpired("202611", cutoff));
        Assert.False(month.IsExpired("202612", cutoff));
        // A month ending exactly at the cutoff holds nothing at or after it.
        Assert.True(month.IsExpired("202610", new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc)));
        Assert.False(month.IsExpired("202610", new DateTime(2026, 10, 31, 23, 59, 59, DateTimeKind.Utc)));
        Assert.False(month.IsExpired("garbage", cutoff));
    }

    [Fact]
    public void ADayPartitionIsExpiredTheDayAfterItsDayLeavesTheWindow()
    {
        var day = new PartitionKey("time", PartitionSpan.Day);
        DateTime cutoff = new DateTime(2026, 11, 26, 3, 0, 0, DateTimeKind.Utc).AddDays(-7);

        Assert.True(day.IsExpired("20261118", cutoff));
        Assert.False(day.IsExpired("20261119", cutoff));
        Assert.False(day.IsExpired("202611", cutoff));
    }
}

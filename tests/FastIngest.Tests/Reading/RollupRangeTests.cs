using FastIngest.Core.Reading;

namespace FastIngest.Tests.Reading;

public sealed class RollupRangeTests
{
    private static DateTime Utc(int day, int hour = 0, int minute = 0, int second = 0) =>
        new(2026, 11, day, hour, minute, second, DateTimeKind.Utc);

    [Fact]
    public void WholeDaysReadTheDayTable()
    {
        var range = new RollupRange(Utc(1), Utc(8));
        Assert.Equal(TimeGrain.Day, range.Grain);
        Assert.Equal("traffic_1d", range.Table("traffic"));
        Assert.Equal("day >= toDate('2026-11-01') AND day < toDate('2026-11-08')", range.Condition());
    }

    [Fact]
    public void OneDayIsItsMidnightToTheNext()
    {
        RollupRange day = RollupRange.Day(new DateOnly(2026, 12, 31));
        Assert.Equal("events_1d", day.Table("events"));
        Assert.Equal("day >= toDate('2026-12-31') AND day < toDate('2027-01-01')", day.Condition());
    }

    [Fact]
    public void WholeHoursThatAreNotWholeDaysReadTheHourTable()
    {
        var range = new RollupRange(Utc(1, 6), Utc(3));
        Assert.Equal(TimeGrain.Hour, range.Grain);
        Assert.Equal("status_1h", range.Table("status"));
        Assert.Equal("hour >= toDateTime('2026-11-01 06:00:00', 'UTC') AND hour < toDateTime('2026-11-03 00:00:00', 'UTC')", range.Condition());
    }

    [Theory]
    [InlineData(0, 30)]
    [InlineData(1, 0)]
    public void AnEndInsideAnHourReadsTheMinuteTable(int hourFrom, int minuteFrom)
    {
        var range = new RollupRange(Utc(1, hourFrom, minuteFrom), Utc(2, 10, 45));
        Assert.Equal(TimeGrain.Minute, range.Grain);
        Assert.Equal("pixel_1m", range.Table("pixel"));
        Assert.StartsWith("minute >= toDateTime('2026-11-01 0", range.Condition(), StringComparison.Ordinal);
        Assert.EndsWith("minute < toDateTime('2026-11-02 10:45:00', 'UTC')", range.Condition(), StringComparison.Ordinal);
    }

    [Fact]
    public void ASecondOffTheMinuteStillReadsTheMinuteTable()
    {
        Assert.Equal(TimeGrain.Minute, new RollupRange(Utc(1), Utc(2, 0, 0, 1)).Grain);
    }

    [Fact]
    public void OpenEndsFitEveryGrain()
    {
        Assert.Equal(TimeGrain.Day, RollupRange.AllTime.Grain);
        Assert.Equal("1", RollupRange.AllTime.Condition());
        Assert.Equal("day >= toDate('2026-11-05')", new RollupRange(Utc(5), null).Condition());
        Assert.Equal("hour < toDateTime('2026-11-05 13:00:00', 'UTC')", new RollupRange(null, Utc(5, 13)).Condition());
        Assert.Equal(TimeGrain.Minute, new RollupRange(Utc(5, 13, 1), null).Grain);
    }

    [Fact]
    public void RefusesLocalTimesAndEmptyRanges()
    {
        Assert.Throws<ArgumentException>(() => new RollupRange(new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Local), null));
        Assert.Throws<ArgumentException>(() => new RollupRange(null, new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Unspecified)));
        Assert.Throws<ArgumentException>(() => new RollupRange(Utc(2), Utc(2)));
        Assert.Throws<ArgumentException>(() => new RollupRange(Utc(3), Utc(2)));
    }
}

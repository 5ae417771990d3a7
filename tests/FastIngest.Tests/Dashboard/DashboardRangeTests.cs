using FastIngest.Core.Reading;
using FastIngest.Core.Reading.Dashboard;

namespace FastIngest.Tests.Dashboard;

public sealed class DashboardRangeTests
{
    private static DateTime Utc(int month, int day, int hour = 0, int minute = 0, int second = 0) =>
        new(2026, month, day, hour, minute, second, DateTimeKind.Utc);

    private static DashboardTimeZone Zone(string id) => DashboardTimeZone.TryFind(id, out DashboardTimeZone zone) ? zone : throw new ArgumentException(id);

    private static DashboardRange Range(DateTime from, DateTime to, string tz = "UTC") =>
        DashboardRange.TryCreate(from, to, Zone(tz), out string? error) ?? throw new ArgumentException(error);

    [Theory]
    [InlineData(60, "Minute")]
    [InlineData(6 * 60, "Minute")]
    [InlineData((6 * 60) + 1, "Hour")]
    [InlineData(24 * 60, "Hour")]
    [InlineData(14 * 24 * 60, "Hour")]
    [InlineData((14 * 24 * 60) + 1, "Day")]
    [InlineData(400 * 24 * 60, "Day")]
    public void TheGrainFollowsTheLength(int minutes, string grain) =>
        Assert.Equal(grain, DashboardRange.GrainFor(TimeSpan.FromMinutes(minutes)).ToString());

    [Fact]
    public void NoGrainGivesMoreThan1500Buckets()
    {
        foreach (int minutes in new[] { 6 * 60, (6 * 60) + 1, 14 * 24 * 60, (14 * 24 * 60) + 1, 400 * 24 * 60 })
        {
            // A ragged start adds at most one bucket at each end.
            DashboardRange range = Range(Utc(1, 1, 0, 0, 30), Utc(1, 1, 0, 0, 30).AddMinutes(minutes));
            Assert.InRange(range.Buckets().Count, 1, 1500);
        }
    }

    [Fact]
    public void ARaggedRangeIsWidenedToWholeBuckets()
    {
        DashboardRange range = Range(Utc(11, 25, 10, 17, 42), Utc(11, 26, 10, 17, 42));
        Assert.Equal(TimeGrain.Hour, range.Grain);
        Assert.Equal(Utc(11, 25, 10), range.From);
        Assert.Equal(Utc(11, 26, 11), range.To);
        Assert.Equal(25, range.Buckets().Count);
        Assert.Equal(TimeGrain.Hour, range.Rollup.Grain);
    }

    [Fact]
    public void EmptyBackwardsAndLongRangesAreRefused()
    {
        Assert.Null(DashboardRange.TryCreate(Utc(11, 25), Utc(11, 25), DashboardTimeZone.Utc, out string? empty));
        Assert.Equal("Invalid range: to must be after from", empty);
        Assert.Null(DashboardRange.TryCreate(Utc(11, 26), Utc(11, 25), DashboardTimeZone.Utc, out _));
        Assert.Null(DashboardRange.TryCreate(Utc(1, 1), Utc(1, 1).AddDays(400).AddSeconds(1), DashboardTimeZone.Utc, out string? tooLong));
        Assert.Equal("Invalid range: at most 400 days", tooLong);
        Assert.NotNull(DashboardRange.TryCreate(Utc(1, 1), Utc(1, 1).AddDays(400), DashboardTimeZone.Utc, out _));
    }

    [Fact]
    public void DaysOfAZoneStartAtItsMidnightAndAreLabelledWithItsOffset()
    {
        // 30 days in Berlin across the end of summer time (2026-10-25): 23- and 25-hour days' midnights.
        DashboardRange range = Range(Utc(10, 10, 12), Utc(11, 9, 12), "Europe/Berlin");
        Assert.Equal(TimeGrain.Day, range.Grain);
        Assert.Equal(Utc(10, 9, 22), range.From);
        Assert.Equal(Utc(11, 9, 23), range.To);
        IReadOnlyList<(DateTime Start, string Key, string Label)> buckets = range.Buckets();
        Assert.Equal(31, buckets.Count);
        Assert.Equal(("2026-10-10", "2026-10-10T00:00:00+02:00"), (buckets[0].Key, buckets[0].Label));
        (DateTime Start, string Key, string Label) after = buckets.Single(b => b.Key == "2026-10-26");
        Assert.Equal(Utc(10, 25, 23), after.Start);
        Assert.Equal("2026-10-26T00:00:00+01:00", after.Label);
        // Whole UTC hours: the hour tables answer every panel exactly.
        Assert.Equal(TimeGrain.Hour, range.Rollup.Grain);
    }

    [Fact]
    public void DaysOfAHalfHourZoneStartAtTheFirstWholeUtcHour()
    {
        DashboardRange range = Range(Utc(11, 1), Utc(11, 20), "Asia/Kolkata");
        // Kolkata's midnight of 2026-11-01 is 18:30 UTC on 10-31; its first whole hour 19:00.
        Assert.Equal(Utc(10, 31, 19), range.From);
        Assert.Equal("2026-11-01", range.Buckets()[0].Key);
        Assert.Equal("2026-11-01T00:00:00+05:30", range.Buckets()[0].Label);
    }

    [Fact]
    public void UtcDaysReadTheDayTablesAndTheirPreviousPeriodToo()
    {
        DashboardRange range = Range(Utc(11, 1, 5), Utc(11, 26, 5));
        Assert.Equal((Utc(11, 1), Utc(11, 27)), (range.From, range.To));
        Assert.Equal("traffic_1d", range.Rollup.Table("traffic"));
        Assert.Equal((Utc(10, 6), Utc(11, 1)), (range.Previous.From!.Value, range.Previous.Until!.Value));
        Assert.Equal(TimeGrain.Day, range.Previous.Grain);
        Assert.Equal((new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 26)), range.UtcDays);
    }

    [Fact]
    public void MinuteBucketsAreKeyedByUnixSeconds()
    {
        DashboardRange range = Range(Utc(11, 25, 10, 0, 30), Utc(11, 25, 10, 3));
        Assert.Equal(["1795600800", "1795600860", "1795600920"], range.Buckets().Select(b => b.Key));
        Assert.Equal("2026-11-25T10:00:00Z", range.Buckets()[0].Label);
        // paths_1h has no minutes: the top files read the whole hour.
        Assert.Equal((Utc(11, 25, 10), Utc(11, 25, 11)), (range.Hours.From!.Value, range.Hours.Until!.Value));
    }
}

using System.Globalization;
using FastIngest.Core.ClickHouse;

namespace FastIngest.Core.Reading.Dashboard;

/// <summary>
/// The literals the dashboard's SQL is built from. User values arrive validated (tenant by
/// <c>NameRules</c>, zone by <see cref="DashboardTimeZone"/>, times parsed) and still pass through
/// <see cref="ClickHouseSql.Quote"/>: 18.16 has no query parameters.
/// </summary>
internal static class DashboardSql
{
    public static string Time(DateTime utc) =>
        $"toDateTime('{utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}', 'UTC')";

    public static string Date(DateOnly day) => $"toDate('{day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}')";

    /// <summary><c>tenant = '…'</c>.</summary>
    public static string TenantIs(string tenant) => "tenant = " + ClickHouseSql.Quote(tenant);

    /// <summary>The UTC days of <paramref name="range"/> as a condition on a <c>day</c> column.</summary>
    public static string DaysOf(DashboardRange range) => DaysOf(range.UtcDays.First, range.UtcDays.Last);

    public static string DaysOf(DateOnly first, DateOnly last) => $"day >= {Date(first)} AND day <= {Date(last)}";
}

using System.Globalization;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>
/// What one opted-in tenant's <c>requests_raw</c> rows must add up to: one row per line sent, so the same
/// <see cref="TenantTotals"/> the counters are checked against, row by row rather than summed by the server.
/// </summary>
internal static class RawRowTotals
{
    /// <summary>Rows of <paramref name="tenant"/> in requests_raw (all tenants when null).</summary>
    public static async Task<long> RowsAsync(PrivateClickHouse clickHouse, string db, string? tenant = null)
    {
        string where = tenant is null ? "" : $" WHERE tenant = '{tenant}'";
        return long.Parse((await clickHouse.QueryAsync($"SELECT count() FROM {db}.requests_raw{where} FORMAT TSV")).Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Asserts that <paramref name="tenant"/>'s rows are exactly its lines: count, bytes, statuses, paths,
    /// cache hits and misses, request times, rows per minute, distinct visitors per day; that every row's
    /// referrer is the host alone; and that the ledger recorded exactly the rows the table holds.
    /// </summary>
    public static async Task AssertAsync(PrivateClickHouse clickHouse, string db, string tenant, TenantTotals t)
    {
        string[] sums = Tsv.Rows(await clickHouse.QueryAsync(
            $"SELECT count(), sum(bytes_sent), sum(body_bytes_sent), countIf(cache_status = 'HIT'), countIf(cache_status = 'MISS'), " +
            $"sum(request_time_ms), uniqExact(toDate(time), visitor), countIf(visitor = 0) FROM {db}.requests_raw WHERE tenant = '{tenant}' FORMAT TSV")).Single();
        Assert.Equal(
            Texts(tenant, ["rows", "bytes_sent", "body_bytes_sent", "hit", "miss", "request_time_ms", "visitors", "no visitor"],
                t.Requests, t.BytesSent, t.BodyBytesSent, t.CacheHit, t.CacheMiss, t.RequestTimeSumMs, t.Visitors.Count, 0),
            Texts(tenant, ["rows", "bytes_sent", "body_bytes_sent", "hit", "miss", "request_time_ms", "visitors", "no visitor"],
                [.. sums.Select(s => long.Parse(s, CultureInfo.InvariantCulture))]));
        Assert.Equal(
            t.Statuses.Select(p => $"{p.Key}={p.Value}"),
            Tsv.Rows(await clickHouse.QueryAsync($"SELECT status, count() FROM {db}.requests_raw WHERE tenant = '{tenant}' GROUP BY status ORDER BY status FORMAT TSV")).Select(r => $"{r[0]}={r[1]}"));
        Assert.Equal(
            t.Paths.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value.Requests}"),
            Tsv.Rows(await clickHouse.QueryAsync($"SELECT path, count() FROM {db}.requests_raw WHERE tenant = '{tenant}' GROUP BY path FORMAT TSV"))
                .Select(r => $"{r[0]}={r[1]}").Order(StringComparer.Ordinal));
        Assert.Equal(
            t.RequestsPerMinute.Select(p => $"{p.Key}={p.Value}"),
            Tsv.Rows(await clickHouse.QueryAsync(
                $"SELECT toUInt32(toStartOfMinute(time)) AS m, count() FROM {db}.requests_raw WHERE tenant = '{tenant}' GROUP BY m ORDER BY m FORMAT TSV")).Select(r => $"{r[0]}={r[1]}"));
        // NginxLines' one agent, "Mozilla/5.0 (X11; Linux x86_64) \ test", as its class (issue 18).
        Assert.Equal("GET\texample.com\tother/linux/unknown",
            (await clickHouse.QueryAsync($"SELECT DISTINCT method, referrer_host, agent_class FROM {db}.requests_raw WHERE tenant = '{tenant}' FORMAT TSV")).TrimEnd('\n'));
    }

    /// <summary>Asserts that insert_ledger recorded, for requests_raw, exactly the rows the table holds: each insert once.</summary>
    public static async Task AssertLedgerAsync(PrivateClickHouse clickHouse, string db)
    {
        long ledger = long.Parse((await clickHouse.QueryAsync($"SELECT sum(rows) FROM {db}.insert_ledger WHERE target = 'requests_raw' FORMAT TSV")).Trim(), CultureInfo.InvariantCulture);
        Assert.Equal(await RowsAsync(clickHouse, db), ledger);
    }

    private static List<string> Texts(string tenant, string[] names, params long[] values) =>
        [.. names.Select((name, i) => $"{tenant}: {name} {values[i]}")];
}

using System.Globalization;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>
/// What a FastIngest database holds of the traffic it counted (traffic_1m, status_1m, paths_1h), read
/// back from ClickHouse: request totals to wait for, and one assertion that every sum is exact.
/// </summary>
internal static class TrafficTotals
{
    /// <summary>The traffic_1m counters compared, in the order <see cref="AssertAsync"/> lists them.</summary>
    private static readonly string[] s_trafficColumns =
    [
        "requests", "bytes_sent", "body_bytes_sent", "status_1xx", "status_2xx", "status_3xx", "status_4xx", "status_5xx",
        "cache_hit", "cache_miss", "request_time_count", "request_time_sum_ms",
    ];

    /// <summary>sum(requests) of traffic_1m: of <paramref name="tenant"/>, or of every tenant.</summary>
    public static async Task<long> RequestsAsync(PrivateClickHouse clickHouse, string db, string? tenant = null)
    {
        string where = tenant is null ? "" : $" WHERE tenant = '{tenant}'";
        string text = (await clickHouse.QueryAsync($"SELECT sum(requests) FROM {db}.traffic_1m{where} FORMAT TSV")).Trim();
        return long.Parse(text, CultureInfo.InvariantCulture);
    }

    /// <summary>sum(requests) of traffic_1m per tenant, as "tenant TAB requests" lines in tenant order.</summary>
    public static async Task<string> RequestsPerTenantAsync(PrivateClickHouse clickHouse, string db) =>
        (await clickHouse.QueryAsync($"SELECT tenant, sum(requests) FROM {db}.traffic_1m GROUP BY tenant ORDER BY tenant FORMAT TSV")).Trim();

    /// <summary>
    /// Waits until traffic_1m counts <paramref name="expected"/> requests (of <paramref name="tenant"/>, or of
    /// every tenant), and fails if it counts more. Counts reach ClickHouse a flush (about a second) after
    /// the lines.
    /// </summary>
    public static async Task WaitForRequestsAsync(PrivateClickHouse clickHouse, string db, long expected, TimeSpan timeout, string? tenant = null)
    {
        long counted = await Eventually.UntilAsync(() => RequestsAsync(clickHouse, db, tenant), n => n >= expected, timeout,
            $"{db}.traffic_1m: requests{(tenant is null ? "" : " of " + tenant)} to reach {expected}");
        Assert.Equal(expected, counted);
    }

    /// <summary>
    /// Asserts that the tenants with traffic are exactly those of <paramref name="expected"/>, and that each
    /// one's sums in traffic_1m (requests, bytes, status classes, cache hits and misses, request times), its
    /// requests per minute and per status (status_1m), and the requests and body bytes of its lines with a
    /// path in paths_1h, and its hits in agents_1d (every line once), are the expected ones to the unit.
    /// </summary>
    public static async Task AssertAsync(PrivateClickHouse clickHouse, string db, IReadOnlyDictionary<string, TenantTotals> expected)
    {
        Assert.Equal(
            expected.Keys.Order(StringComparer.Ordinal),
            Tsv.Rows(await clickHouse.QueryAsync($"SELECT DISTINCT tenant FROM {db}.traffic_1m ORDER BY tenant FORMAT TSV")).Select(r => r[0]));
        foreach ((string tenant, TenantTotals t) in expected.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            List<string> want = Describe(
                tenant,
                Texts(t.Requests, t.BytesSent, t.BodyBytesSent, t.StatusClass(1), t.StatusClass(2), t.StatusClass(3), t.StatusClass(4), t.StatusClass(5),
                    t.CacheHit, t.CacheMiss, t.RequestTimeCount, t.RequestTimeSumMs),
                t.RequestsPerMinute.Select(p => $"{p.Key}={p.Value}"),
                t.Statuses.Select(p => $"{p.Key}={p.Value}"),
                Texts(t.PathRequests, t.PathBodyBytes),
                Texts(t.Requests));
            Assert.Equal(want, await CountedAsync(clickHouse, db, tenant));
        }
    }

    private static async Task<List<string>> CountedAsync(PrivateClickHouse clickHouse, string db, string tenant)
    {
        string[] traffic = Tsv.Rows(await clickHouse.QueryAsync(
            $"SELECT {string.Join(", ", s_trafficColumns.Select(c => $"sum({c})"))} FROM {db}.traffic_1m WHERE tenant = '{tenant}' FORMAT TSV")).Single();
        List<string[]> minutes = Tsv.Rows(await clickHouse.QueryAsync(
            $"SELECT toUInt32(minute), sum(requests) FROM {db}.traffic_1m WHERE tenant = '{tenant}' GROUP BY minute ORDER BY minute FORMAT TSV"));
        List<string[]> statuses = Tsv.Rows(await clickHouse.QueryAsync(
            $"SELECT status, sum(requests) FROM {db}.status_1m WHERE tenant = '{tenant}' GROUP BY status ORDER BY status FORMAT TSV"));
        string[] paths = Tsv.Rows(await clickHouse.QueryAsync(
            $"SELECT sumMerge(requests), sumMerge(body_bytes_sent) FROM {db}.paths_1h WHERE tenant = '{tenant}' FORMAT TSV")).Single();
        // agents_1d (issue 18): every line once, whatever its agent; through the same door, ledger and spool.
        string[] agents = Tsv.Rows(await clickHouse.QueryAsync(
            $"SELECT sumMerge(hits) FROM {db}.agents_1d WHERE tenant = '{tenant}' FORMAT TSV")).Single();
        return Describe(tenant, traffic, minutes.Select(r => $"{r[0]}={r[1]}"), statuses.Select(r => $"{r[0]}={r[1]}"), paths, agents);
    }

    private static string[] Texts(params long[] values) => [.. values.Select(v => v.ToString(CultureInfo.InvariantCulture))];

    /// <summary>
    /// One tenant's counts as "tenant: what value" items, so that a failure names the count that differs
    /// and shows it side by side with the expected one.
    /// </summary>
    private static List<string> Describe(string tenant, string[] traffic, IEnumerable<string> minutes, IEnumerable<string> statuses, string[] paths, string[] agents)
    {
        List<string> items = [.. s_trafficColumns.Select((column, i) => $"{tenant}: {column} {traffic[i]}")];
        items.AddRange(minutes.Select(m => $"{tenant}: requests in minute {m}"));
        items.AddRange(statuses.Select(s => $"{tenant}: requests with status {s}"));
        items.Add($"{tenant}: paths_1h requests {paths[0]}");
        items.Add($"{tenant}: paths_1h body_bytes_sent {paths[1]}");
        items.Add($"{tenant}: agents_1d hits {agents[0]}");
        return items;
    }
}

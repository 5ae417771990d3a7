namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>
/// <c>referrers_1d</c> against what <see cref="NginxLines"/> sent: each of its lines comes from the page
/// <c>example.com/search</c> of the site <c>example.com</c> with a browser's agent, so every request is one
/// internal visit. Exactly once, like the traffic: a round lost or applied twice shows here too.
/// </summary>
internal static class ReferrerTotals
{
    public static async Task AssertAsync(PrivateClickHouse clickHouse, string db, IReadOnlyDictionary<string, TenantTotals> expected)
    {
        string stored = await clickHouse.QueryAsync(
            $"SELECT tenant, toString(source_group), host, sumMerge(visits) FROM {db}.referrers_1d GROUP BY tenant, source_group, host ORDER BY tenant FORMAT TSV");
        Assert.Equal(
            string.Concat(expected.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}\tinternal\texample.com\t{t.Value.Requests}\n")),
            stored);
    }
}

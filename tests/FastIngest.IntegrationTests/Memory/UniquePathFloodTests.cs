using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Memory;

/// <summary>
/// Issue 7, bounded memory: a flood of unique paths must neither grow the server without limit nor
/// lose or double-count a request. The paths past the caps fold into <c>(other)</c>, which carries
/// their counts.
/// </summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class UniquePathFloodTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    private const int Lines = 1_000_000;
    private const int Shards = 2;
    private const int MaxPathsPerShard = 100_000; // AggregationOptions.MaxPaths, the default
    private static readonly string[] s_tenants = ["flood_a", "flood_b", "flood_c", "flood_d"];

    /// <param name="maxPathsPerTenant">
    /// Empty: the default per-tenant cap (1,000 new paths per tenant and interval) folds the flood. A huge
    /// value switches that cap off, so only the shard-wide <c>MaxPaths</c> table (full within the first
    /// interval, forgotten at the flushes after) bounds memory: the worst case.
    /// </param>
    /// <param name="maxPeakRssMegabytes">
    /// Bound on the server's peak RSS (VmHWM). Measured on the 2-core Debian 12 box (server GC off,
    /// 2 shards), over five runs each: about 80 MB right after start; 116-144 MB at the end of the flood
    /// with the default cap; 246-269 MB with the per-tenant cap off. The bounds leave 1.5-1.7x of that.
    /// </param>
    [Theory]
    [InlineData("", 250)]
    [InlineData("10000000", 400)]
    public async Task AMillionUniquePathsKeepPeakRssBoundedAndEverySumExact(string maxPathsPerTenant, long maxPeakRssMegabytes)
    {
        string db = UniqueName.For("flood");
        // Shards fixed (the default here is one per core, 2) so the recycling check below holds on any machine.
        List<string> args = ["--FastIngest:Aggregation:Shards=" + Shards.ToString(CultureInfo.InvariantCulture)];
        if (maxPathsPerTenant.Length > 0)
        {
            args.Add("--FastIngest:Aggregation:MaxPathsPerTenant=" + maxPathsPerTenant);
        }

        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, [.. args]);
        long startRss = ProcessMemory.PeakRssKilobytes(server.ProcessId);
        var stopwatch = Stopwatch.StartNew();

        // TCP syslog, not UDP: TCP is lossless, so "exact" means exact. One connection per tenant and half.
        // The second half starts once the first is in ClickHouse: at least one flush between them, after
        // which full name tables must have forgotten the first half's paths and name new ones again.
        long start = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 60_000 - 20) * 60_000;
        Dictionary<string, TenantTotals> expected = s_tenants.ToDictionary(tenant => tenant, _ => new TenantTotals());
        for (int half = 0; half < 2; half++)
        {
            int from = half * (Lines / 2);
            await Task.WhenAll(s_tenants.Select((tenant, t) =>
                Task.Run(() => SendAsync(server.TcpPort, tenant, t, from, from + (Lines / 2), start, expected[tenant]))));
            await TrafficTotals.WaitForRequestsAsync(clickHouse, db, expected.Values.Sum(e => e.Requests), TimeSpan.FromSeconds(60));
        }

        TimeSpan sent = stopwatch.Elapsed;
        long total = expected.Values.Sum(e => e.Requests);
        Assert.Equal(Lines, total);
        long stored = await Eventually.UntilAsync(
            async () => long.Parse((await clickHouse.QueryAsync($"SELECT sumMerge(requests) FROM {db}.paths_1h FORMAT TSV")).Trim(), CultureInfo.InvariantCulture),
            requests => requests >= total, TimeSpan.FromSeconds(30), $"{db}.paths_1h: requests to reach {total}");
        Assert.Equal(total, stored);
        TimeSpan pathsStored = stopwatch.Elapsed;
        long peakRss = ProcessMemory.PeakRssKilobytes(server.ProcessId);

        using var http = new HttpClient { BaseAddress = server.HttpUri };
        string metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));

        var other = Tsv.Rows(await clickHouse.QueryAsync(
            $"SELECT tenant, sumMerge(requests) FROM {db}.paths_1h WHERE path = '(other)' GROUP BY tenant ORDER BY tenant FORMAT TSV"));
        var named = Tsv.Rows(await clickHouse.QueryAsync(
            $"SELECT tenant, uniqExact(path) FROM {db}.paths_1h WHERE path != '(other)' GROUP BY tenant ORDER BY tenant FORMAT TSV"));
        long folded = Folded(metrics, "path");
        output.WriteLine(
            $"sent and counted in {sent.TotalSeconds:F1} s, paths stored in {pathsStored.TotalSeconds:F1} s; VmHWM {startRss / 1024} MB after start, {peakRss / 1024} MB peak; " +
            $"folded {folded}; named paths {string.Join(", ", named.Select(r => $"{r[0]}={r[1]}"))}");

        // Every request once in traffic_1m, and once in paths_1h: under its own path or as (other).
        await TrafficTotals.AssertAsync(clickHouse, db, expected);

        // The flood folded (each path is new, and a tenant names at most MaxPathsPerTenant per
        // interval), and what /metrics calls folded is exactly what (other) carries.
        Assert.Equal(s_tenants, other.Select(r => r[0]));
        Assert.Equal(folded, other.Sum(r => long.Parse(r[1], CultureInfo.InvariantCulture)));
        Assert.InRange(folded, 1, total - 1);
        Assert.Equal("0", (await clickHouse.QueryAsync($"SELECT count() FROM {db}.ingest_errors FORMAT TSV")).Trim());
        if (maxPathsPerTenant.Length > 0)
        {
            // Each shard gets over 100,000 new paths in each half: tables that never forgot would have
            // named at most MaxPaths per shard for the life of the process, and folded everything after.
            Assert.True(named.Sum(r => long.Parse(r[1], CultureInfo.InvariantCulture)) > Shards * MaxPathsPerShard, "name tables were not recycled");
        }

        Assert.True(peakRss / 1024 < maxPeakRssMegabytes, $"peak RSS {peakRss / 1024} MB, bound {maxPeakRssMegabytes} MB");
    }

    /// <summary>Sends this tenant's share of the lines, each with a path of its own, and adds them to <paramref name="totals"/>.</summary>
    private static async Task SendAsync(int port, string tenant, int index, int from, int to, long startMs, TenantTotals totals)
    {
        using var client = new TcpClient { NoDelay = false };
        await client.ConnectAsync(IPAddress.Loopback, port);
        NetworkStream stream = client.GetStream();
        byte[] buffer = new byte[256 * 1024];
        int used = 0;
        for (int i = from + index; i < to; i += s_tenants.Length)
        {
            long ms = startMs + (i / 2); // about 8 minutes of request time, so several minute buckets
            long bodyBytes = i % 5_000;
            string path = "/files/" + tenant + "/" + i.ToString("x8", CultureInfo.InvariantCulture) + ".bin";
            byte[] line = new NginxLineBuilder()
                .Msec(ms)
                .Set("status", "200")
                .Set("bytes_sent", bodyBytes + 200)
                .Set("body_bytes_sent", bodyBytes)
                .Set("uri", path)
                .ToUtf8();
            byte[] datagram = NginxLineBuilder.SyslogDatagram(tenant, line, withHostname: false);
            if (used + datagram.Length + 1 > buffer.Length)
            {
                await stream.WriteAsync(buffer.AsMemory(0, used));
                used = 0;
            }

            datagram.CopyTo(buffer, used);
            used += datagram.Length;
            buffer[used++] = (byte)'\n';
            totals.Add(ms, 200, bodyBytes + 200, bodyBytes, requestTimeMs: null, cache: "", path);
        }

        await stream.WriteAsync(buffer.AsMemory(0, used));
        client.Client.Shutdown(SocketShutdown.Send);
    }

    private static long Folded(string metrics, string kind)
    {
        Match match = Regex.Match(metrics, "^fastingest_folded_total\\{kind=\"" + kind + "\"\\} ([0-9]+)$", RegexOptions.Multiline);
        Assert.True(match.Success, "no fastingest_folded_total for " + kind);
        return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}

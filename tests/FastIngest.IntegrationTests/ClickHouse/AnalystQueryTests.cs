using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.ClickHouse;

/// <summary>Every query of clickhouse/queries/ runs on real counted data and returns what it promises.</summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed partial class AnalystQueryTests(PrivateClickHouse clickHouse)
{
    [Fact]
    public Task EveryCookbookQueryRunsAndAddsUp() =>
        EveryCookbookQueryRunsAndAddsUpAsync((db, args) => ServerProcess.StartAsync(clickHouse, db, args), sql => clickHouse.QueryAsync(sql));

    /// <summary>The whole check against one ClickHouse: 18.16 here, 26.7 in <see cref="ModernClickHouseAnalystQueryTests"/>.</summary>
    internal static async Task EveryCookbookQueryRunsAndAddsUpAsync(Func<string, string[], Task<ServerProcess>> startServer, Func<string, Task<string>> query)
    {
        string db = UniqueName.For("queries");
        // Every seventh line a crawler's (both tenants get some): bots.sql has something to answer, and bots are no visitors (issue 18).
        var lines = new NginxLines(seed: 3, botEvery: 7);
        // shop's requests get raw rows too, for requests_behind_a_spike.sql.
        await using (ServerProcess server = await startServer(db, ["--FastIngest:RawRows:Tenants:0=shop"]))
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Connect(new IPEndPoint(IPAddress.Loopback, server.UdpPort));
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            for (int i = 0; i < 2_000; i++)
            {
                string tenant = i % 4 == 0 ? "blog" : "shop";
                socket.Send(NginxLineBuilder.SyslogDatagram(tenant, lines.Line(tenant, now - i * 100), withHostname: false));
            }

            socket.Send([0x01, 0x02]); // one reject for ingest_errors.sql
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        }

        string[] files = Directory.GetFiles(RepoPaths.Combine("clickhouse", "queries"), "*.sql");
        Assert.NotEmpty(files);
        var results = new Dictionary<string, List<string[]>>();
        var readRollups = new List<string>();
        foreach (string file in files)
        {
            string text = File.ReadAllText(file);
            string sql = DatabaseName().Replace(text, db + ".");
            results[Path.GetFileName(file)] = Tsv.Rows(await query(sql + "\nFORMAT TSV"));
            Assert.True(results[Path.GetFileName(file)].Count > 0, $"{Path.GetFileName(file)} returned no rows");

            // A query that reads a rollup answers exactly what the same query over the finer table answers.
            string finer = s_rollups.Aggregate(text, (q, rollup) => q.Replace(rollup.Key, rollup.Value, StringComparison.Ordinal));
            if (finer != text)
            {
                readRollups.Add(Path.GetFileName(file));
                Assert.Equal(
                    results[Path.GetFileName(file)].Select(r => string.Join('\t', r)),
                    Tsv.Rows(await query(DatabaseName().Replace(finer, db + ".") + "\nFORMAT TSV")).Select(r => string.Join('\t', r)));
            }
        }

        // Queries over a day or more read the hour and day tables (issue 16).
        Assert.Superset(
            new HashSet<string> { "requests_by_tenant.sql", "hourly_traffic.sql", "cache_hit_ratio.sql", "status_mix.sql", "top_files_by_downloads.sql", "top_files_by_bytes.sql", "daily_traffic.sql" },
            readRollups.ToHashSet());

        Assert.Equal(
            [$"shop {lines.Expected["shop"].Requests} {lines.Expected["shop"].BytesSent}", $"blog {lines.Expected["blog"].Requests} {lines.Expected["blog"].BytesSent}"],
            results["requests_by_tenant.sql"].Select(r => $"{r[0]} {r[1]} {r[2]}"));
        Assert.Equal(lines.Expected["shop"].Requests, results["traffic_per_minute.sql"].Sum(r => long.Parse(r[1])));
        Assert.Equal(
            lines.Expected["shop"].Statuses.Values.Sum() + lines.Expected["blog"].Statuses.Values.Sum(),
            results["status_mix.sql"].Sum(r => long.Parse(r[2])));
        Assert.Equal("syslog_header 1", string.Join(' ', results["ingest_errors.sql"].Single().Skip(2).Take(2)));
        Assert.Equal($"acme home {lines.AcmeHomePixelHits}", string.Join(' ', results["pixel_hits.sql"].Single().Take(3)));
        Assert.Equal(
            [$"acme {lines.AcmeHomeVisitors.Count}", $"blog {lines.Expected["blog"].Visitors.Count}", $"shop {lines.Expected["shop"].Visitors.Count}"],
            results["unique_visitors.sql"].GroupBy(r => r[0]).Select(g => $"{g.Key} {g.Sum(r => long.Parse(r[2]))}"));
        Assert.Equal(lines.AcmeHomeVisitors.Count, results["pixel_visitors.sql"].Where(r => r[0] == "acme" && r[1] == "home").Sum(r => long.Parse(r[3])));
        foreach (string tenant in new[] { "blog", "shop" })
        {
            var paths = lines.Expected[tenant].Paths;
            Assert.Equal(
                paths.OrderByDescending(f => f.Value.Requests).ThenBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key} {f.Value.Requests} {f.Value.Body} {f.Value.Hit} {f.Value.Miss}"),
                results["top_files_by_downloads.sql"].Where(r => r[0] == tenant).Select(r => $"{r[1]} {r[2]} {r[3]} {r[4]} {r[5]}"));
            Assert.Equal(
                paths.OrderByDescending(f => f.Value.Body).ThenBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key} {f.Value.Body}"),
                results["top_files_by_bytes.sql"].Where(r => r[0] == tenant).Select(r => $"{r[1]} {r[2]}"));
            Assert.Equal(lines.Expected[tenant].Requests, results["hourly_traffic.sql"].Where(r => r[0] == tenant).Sum(r => long.Parse(r[2])));
            Assert.Equal(lines.Expected[tenant].BodyBytesSent, results["hourly_traffic.sql"].Where(r => r[0] == tenant).Sum(r => long.Parse(r[4])));
        }

        Assert.Equal(
            [$"blog {lines.Expected["blog"].Requests}", $"shop {lines.Expected["shop"].Requests}"],
            results["daily_traffic.sql"].GroupBy(r => r[0]).Select(g => $"{g.Key} {g.Sum(r => long.Parse(r[2]))}"));

        // The spike's minute is the one with the most 5xx in status_1m (counted apart from the raw rows), and
        // its raw rows are every one of shop's requests of that minute.
        List<string[]> spike = results["requests_behind_a_spike.sql"];
        long spikeMinute = DateTimeOffset.Parse(spike[0][0] + "Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds();
        Assert.All(spike, r => Assert.Equal(spike[0][0], r[0]));
        Assert.Equal(lines.Expected["shop"].RequestsPerMinute[spikeMinute], spike.Sum(r => long.Parse(r[4])));
        string most5xx = (await query(
            $"SELECT sumIf(requests, status >= 500) AS e FROM {db}.status_1m WHERE tenant = 'shop' GROUP BY minute ORDER BY e DESC LIMIT 1 FORMAT TSV")).Trim();
        Assert.Equal(long.Parse(most5xx), spike.Where(r => int.Parse(r[2]) >= 500).Sum(r => long.Parse(r[4])));
        Assert.True(int.Parse(spike[0][2]) >= 500, "errors come first");

        // People's lines have one agent (other/linux/unknown), the rest are Googlebot's (issue 18).
        foreach (string tenant in new[] { "blog", "shop" })
        {
            long people = lines.Expected[tenant].Requests - lines.BotRequests[tenant];
            Assert.Equal($"other {people} {lines.Expected[tenant].Visitors.Count}", string.Join(' ', results["browsers.sql"].Single(r => r[0] == tenant).Skip(1)));
            Assert.Equal($"unknown linux {people} {lines.Expected[tenant].Visitors.Count}", string.Join(' ', results["devices.sql"].Single(r => r[0] == tenant).Skip(1)));
            string share = Math.Round((double)lines.BotRequests[tenant] / lines.Expected[tenant].Requests, 4).ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal($"google {lines.BotRequests[tenant]} {share} 0", string.Join(' ', results["bots.sql"].Single(r => r[0] == tenant).Skip(1)));
        }

        Assert.All(results["cache_hit_ratio.sql"], r => Assert.InRange(double.Parse(r[4], System.Globalization.CultureInfo.InvariantCulture), 0, 1));
    }

    // Each rollup as the finer table it sums, with the rollup's time column: the twin of a cookbook query.
    private static readonly Dictionary<string, string> s_rollups = new[] { "traffic", "status", "pixel", "events" }
        .SelectMany(family => new[]
        {
            KeyValuePair.Create($"fastingest.{family}_1h", $"(SELECT *, toStartOfHour(minute) AS hour FROM fastingest.{family}_1m)"),
            KeyValuePair.Create($"fastingest.{family}_1d", $"(SELECT *, toDate(minute) AS day FROM fastingest.{family}_1m)"),
        })
        .Append(KeyValuePair.Create("fastingest.paths_1d", "(SELECT *, toDate(hour) AS day FROM fastingest.paths_1h)"))
        .ToDictionary();

    [GeneratedRegex(@"\bfastingest\.")]
    private static partial Regex DatabaseName();
}

using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Retention;

/// <summary>
/// Issue 16, item 3, on modern ClickHouse (26.7 through chDB): every table gets its TTL from the rule and
/// the overrides, set once (a restart leaves an unchanged TTL alone), removed by an override of 0, and
/// applied by ClickHouse's merges.
/// </summary>
[Collection("ModernClickHouse")]
[Trait("Category", "Integration")]
public sealed class ModernClickHouseRetentionTests(ModernClickHouse clickHouse, ITestOutputHelper output)
{
    [Fact]
    public async Task EachTableCarriesItsTtlSetOnceAndMergesRemoveOnlyExpiredRows()
    {
        string db = UniqueName.For("modern_retention");
        string[] overrides = ["--FastIngest:Retention:Days:traffic_1m=30", "--FastIngest:Retention:Days:status_1m=0"];

        await using (ServerProcess first = await StartAsync(db, overrides))
        {
            Assert.Equal(0, await first.TerminateAsync(TimeSpan.FromSeconds(30)));
            output.WriteLine(first.Output);
        }

        Assert.Equal("minute + toIntervalDay(30)", Ttl(db, "traffic_1m"));      // the override
        Assert.Equal("", Ttl(db, "status_1m"));                                // 0 = keep
        Assert.Equal("minute + toIntervalDay(14)", Ttl(db, "pixel_1m"));        // *_1m
        Assert.Equal("minute + toIntervalDay(14)", Ttl(db, "events_1m"));
        Assert.Equal("hour + toIntervalDay(400)", Ttl(db, "paths_1h"));         // *_1h
        Assert.Equal("hour + toIntervalDay(400)", Ttl(db, "traffic_1h"));       // the rollups too
        Assert.Equal("", Ttl(db, "traffic_1d"));
        Assert.Equal("time + toIntervalDay(7)", Ttl(db, "requests_raw"));
        Assert.Equal("time + toIntervalDay(30)", Ttl(db, "ingest_errors"));
        Assert.Equal("", Ttl(db, "visitors_1d"));                              // *_1d: kept
        Assert.Equal("", Ttl(db, "users_1d"));
        // The ledger is FastIngest's to expire (by months, never past a spooled round): no TTL.
        Assert.Equal("", Ttl(db, "insert_ledger"));
        int set = TtlStatements(db).Count;
        // traffic_1m, pixel_1m, events_1m, ingest_errors, requests_raw; paths_1h and the four hour rollups.
        Assert.Equal(10, set);

        // A restart with the same configuration sets nothing again (MODIFY TTL would rewrite every part).
        await using (ServerProcess second = await StartAsync(db, overrides))
        {
            Assert.Equal(0, await second.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        Assert.Equal(set, TtlStatements(db).Count);

        // Merges apply the TTL: rows past 30 days go, rows inside stay (a month's partition holds both).
        DateTime now = DateTime.UtcNow;
        clickHouse.Query($"INSERT INTO {db}.traffic_1m (tenant, minute, requests) VALUES ('shop', '{now.AddDays(-45):yyyy-MM-dd HH:mm:00}', 5), " +
            $"('shop', '{now.AddDays(-31):yyyy-MM-dd HH:mm:00}', 7), ('shop', '{now.AddDays(-29):yyyy-MM-dd HH:mm:00}', 11), ('shop', '{now.AddDays(-1):yyyy-MM-dd HH:mm:00}', 13)");
        clickHouse.Query($"INSERT INTO {db}.status_1m (tenant, minute, status, requests) VALUES ('shop', '{now.AddDays(-400):yyyy-MM-dd HH:mm:00}', 200, 17)");
        clickHouse.Query($"OPTIMIZE TABLE {db}.traffic_1m FINAL");
        clickHouse.Query($"OPTIMIZE TABLE {db}.status_1m FINAL");
        Assert.Equal("24", clickHouse.Query($"SELECT sum(requests) FROM {db}.traffic_1m FORMAT TSV").Trim());
        Assert.Equal("17", clickHouse.Query($"SELECT sum(requests) FROM {db}.status_1m FORMAT TSV").Trim());

        // The override back to 0 removes the TTL FastIngest set; a changed one is set anew, a table whose
        // override is gone follows the rule again, and a TTL on the ledger (set by hand) is removed.
        clickHouse.Query($"ALTER TABLE {db}.insert_ledger MODIFY TTL time + INTERVAL 7 DAY");
        Assert.Equal("time + toIntervalDay(7)", Ttl(db, "insert_ledger"));
        await using (ServerProcess third = await StartAsync(db, "--FastIngest:Retention:Days:traffic_1m=0", "--FastIngest:Retention:Days:pixel_1m=20"))
        {
            Assert.Equal(0, await third.TerminateAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("removed TTL minute + toIntervalDay(30) from traffic_1m", third.Output, StringComparison.Ordinal);
        }

        Assert.Equal("", Ttl(db, "traffic_1m"));
        Assert.Equal("minute + toIntervalDay(20)", Ttl(db, "pixel_1m"));
        Assert.Equal("minute + toIntervalDay(14)", Ttl(db, "status_1m"));
        Assert.Equal("minute + toIntervalDay(14)", Ttl(db, "events_1m"));
        Assert.Equal("", Ttl(db, "insert_ledger"));
        Assert.Equal(set + 4, TtlStatements(db).Count);
    }

    // The server is stopped only once its first pass has run (the pass runs right after the schema, at start).
    private async Task<ServerProcess> StartAsync(string db, params string[] args)
    {
        ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, ["--FastIngest:Retention:Enabled=true", "--FastIngest:Retention:Interval=01:00:00", .. args]);
        await Eventually.UntilAsync(() => server.MetricAsync("fastingest_retention_runs_total"), runs => runs >= 1, TimeSpan.FromSeconds(60), "the first retention pass");
        Assert.Equal(0, await server.MetricAsync("fastingest_retention_failures_total"));
        return server;
    }

    private string Ttl(string db, string table)
    {
        string engine = clickHouse.Query($"SELECT engine_full FROM system.tables WHERE database = '{db}' AND name = '{table}' FORMAT TSVRaw").Trim();
        int at = engine.IndexOf(" TTL ", StringComparison.Ordinal);
        if (at < 0)
        {
            return "";
        }

        string ttl = engine[(at + 5)..];
        int settings = ttl.IndexOf(" SETTINGS ", StringComparison.Ordinal);
        return settings < 0 ? ttl : ttl[..settings];
    }

    // MODIFY / REMOVE TTL statements the HTTP interface was asked for this database.
    private List<string> TtlStatements(string db) =>
        [.. clickHouse.Requests.Where(r => r.Contains($"ALTER TABLE {db}.", StringComparison.Ordinal) && r.Contains(" TTL", StringComparison.Ordinal))];
}

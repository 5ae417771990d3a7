using FastIngest.Core.ClickHouse;
using FastIngest.Core.ClickHouse.Cluster;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.ClickHouse.Cluster;

/// <summary>
/// Issue 19, item 2 on one shard of two ClickHouse 18.16 replicas with Debian's ZooKeeper: the schema with
/// Replicated engines applies directly and ON CLUSTER, a row written on one replica appears on the other,
/// and the same block written twice is kept once.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class ReplicatedClusterTests(ReplicatedShard shard) : IClassFixture<ReplicatedShard>
{
    private PrivateClickHouse A => shard.Cluster.Shards[0][0];

    private PrivateClickHouse B => shard.Cluster.Shards[0][1];

    [Fact]
    public async Task ARowWrittenThroughOneReplicasDoorAppearsOnTheOther()
    {
        ClickHouseOptions options = shard.Cluster.Options(UniqueName.For("cl_repl"));
        await ClusterSchemaApplier.ApplyAsync(options, CancellationToken.None);
        await ClusterSchemaApplier.ApplyAsync(options, CancellationToken.None);
        string l = options.LocalDatabase;
        foreach (PrivateClickHouse server in shard.Cluster.Servers)
        {
            Assert.Equal(
                "Distributed",
                (await server.QueryAsync($"SELECT DISTINCT engine FROM system.tables WHERE database = '{options.Database}' FORMAT TSV")).Trim());
            Assert.Equal(
                "Null|ReplicatedAggregatingMergeTree|ReplicatedMergeTree|ReplicatedSummingMergeTree",
                string.Join('|', Tsv.Rows(await server.QueryAsync(
                    $"SELECT DISTINCT engine FROM system.tables WHERE database = '{l}' AND engine != 'MaterializedView' ORDER BY engine FORMAT TSV")).Select(r => r[0])));
        }

        await A.ExecuteAsync($"INSERT INTO {l}.traffic_1m_in (tenant, minute, requests, insert_id) VALUES ('shop', '2026-11-26 06:01:00', 4, 21)");

        await Eventually.UntilAsync(
            () => B.QueryAsync($"SELECT sum(requests) FROM {l}.traffic_1m FORMAT TSV"),
            sum => sum.Trim() == "4",
            TimeSpan.FromSeconds(30),
            "replica B has replica A's row");
        await Eventually.UntilAsync(
            () => B.QueryAsync($"SELECT insert_id, rows FROM {l}.insert_ledger FORMAT TSV"),
            ledger => ledger.Trim() == "21\t1",
            TimeSpan.FromSeconds(30),
            "replica B has the insert's ledger row, for a sink that fails over to it");
        // Each table replicates on its own: the rollup's part may come a moment after the minute table's.
        await Eventually.UntilAsync(
            () => B.QueryAsync($"SELECT sum(requests) FROM {l}.traffic_1h FORMAT TSV"),
            sum => sum.Trim() == "4",
            TimeSpan.FromSeconds(30),
            "replica B has the rollup's row");

        // The Distributed table reads one replica of the shard, not both: the row counts once.
        Assert.Equal("4", (await A.QueryAsync($"SELECT sum(requests) FROM {options.Database}.traffic_1m FORMAT TSV")).Trim());
    }

    [Fact]
    public async Task TheSameBlockWrittenTwiceToAReplicatedTableIsKeptOnce()
    {
        ClickHouseOptions options = shard.Cluster.Options(UniqueName.For("cl_dedup"));
        await ClusterSchemaApplier.ApplyAsync(options, CancellationToken.None);
        string l = options.LocalDatabase;
        string block = "('shop', '2026-11-26 06:01:00', 3, 300), ('blog', '2026-11-26 06:01:00', 1, 100)";

        // A retry of a block whose outcome was unknown, on the same replica and on the other one.
        await A.ExecuteAsync($"INSERT INTO {l}.traffic_1m (tenant, minute, requests, bytes_sent) VALUES {block}");
        await A.ExecuteAsync($"INSERT INTO {l}.traffic_1m (tenant, minute, requests, bytes_sent) VALUES {block}");
        await B.ExecuteAsync($"INSERT INTO {l}.traffic_1m (tenant, minute, requests, bytes_sent) VALUES {block}");

        foreach (PrivateClickHouse server in shard.Cluster.Servers)
        {
            await Eventually.UntilAsync(
                () => server.QueryAsync($"SELECT sum(requests), sum(bytes_sent) FROM {l}.traffic_1m FORMAT TSV"),
                sums => sums.Trim() == "4\t400",
                TimeSpan.FromSeconds(30),
                "the block counted once on each replica");
        }

        // A different block (one row more) is not a retry and counts.
        await A.ExecuteAsync($"INSERT INTO {l}.traffic_1m (tenant, minute, requests, bytes_sent) VALUES {block}, ('shop', '2026-11-26 06:02:00', 1, 1)");
        Assert.Equal("9\t801", (await A.QueryAsync($"SELECT sum(requests), sum(bytes_sent) FROM {l}.traffic_1m FORMAT TSV")).Trim());

        // Through a write door, as FastIngest inserts: the views' blocks are deduplicated too, so a retried
        // insert counts once in every table.
        string door = $"INSERT INTO {l}.traffic_1m_in (tenant, minute, requests, bytes_sent, insert_id) VALUES ('acme', '2026-11-26 06:01:00', 2, 20, 77)";
        await A.ExecuteAsync(door);
        await A.ExecuteAsync(door);
        Assert.Equal("2 2 2", await AcmeRequestsAsync(l));
    }

    [Fact]
    public async Task OnEighteenSixteenARollupBlockLikeAnEarlierInsertsIsDroppedUnlessInsertDeduplicateIsOff()
    {
        // Found here (issue 19): 18.16 deduplicates every block a view writes into a Replicated table by its
        // content, so two different inserts whose hour (or day) rows come out the same lose the second in
        // the rollup. A sink writing to Replicated tables on 18.16 must send insert_deduplicate=0 and rely on
        // the ledger for its retries (as the design says: the ledger where the version has no token).
        ClickHouseOptions options = shard.Cluster.Options(UniqueName.For("cl_rollup_dedup"));
        await ClusterSchemaApplier.ApplyAsync(options, CancellationToken.None);
        string l = options.LocalDatabase;
        string insert = $"INSERT INTO {l}.traffic_1m_in (tenant, minute, requests, bytes_sent, insert_id) VALUES ('acme', '2026-11-26 06:0{{0}}:00', 2, 20, {{0}})";

        await A.ExecuteAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, insert, 1));
        await A.ExecuteAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, insert, 2));
        Assert.Equal("4 2 2", await AcmeRequestsAsync(l));

        using var http = new HttpClient();
        using var third = new StringContent(string.Format(System.Globalization.CultureInfo.InvariantCulture, insert, 3));
        using HttpResponseMessage response = await http.PostAsync(new Uri(A.HttpUri, "?insert_deduplicate=0"), third);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        Assert.Equal("6 4 4", await AcmeRequestsAsync(l));
    }

    private async Task<string> AcmeRequestsAsync(string localDatabase)
    {
        var sums = new List<string>();
        foreach (string table in new[] { "traffic_1m", "traffic_1h", "traffic_1d" })
        {
            sums.Add((await A.QueryAsync($"SELECT sum(requests) FROM {localDatabase}.{table} WHERE tenant = 'acme' FORMAT TSV")).Trim());
        }

        return string.Join(' ', sums);
    }

    [Fact]
    public async Task OnClusterAppliesEachStatementOnceToEveryServer()
    {
        ClickHouseOptions options = shard.Cluster.Options(UniqueName.For("cl_on"), onCluster: true);
        await ClusterSchemaApplier.ApplyAsync(options, CancellationToken.None);
        await ClusterSchemaApplier.ApplyAsync(options, CancellationToken.None);

        int expected = ClusterSchema.Local(options.LocalDatabase, replicated: true).Count - 1;
        foreach (PrivateClickHouse server in shard.Cluster.Servers)
        {
            Assert.Equal(
                expected.ToString(System.Globalization.CultureInfo.InvariantCulture),
                (await server.QueryAsync($"SELECT count() FROM system.tables WHERE database = '{options.LocalDatabase}' FORMAT TSV")).Trim());
        }

        await B.ExecuteAsync($"INSERT INTO {options.LocalDatabase}.status_1m_in (tenant, minute, status, requests, insert_id) VALUES ('shop', '2026-11-26 06:01:00', 404, 6, 31)");
        await Eventually.UntilAsync(
            () => A.QueryAsync($"SELECT status, sum(requests) FROM {options.Database}.status_1m GROUP BY status FORMAT TSV"),
            rows => rows.Trim() == "404\t6",
            TimeSpan.FromSeconds(30),
            "replica A reads replica B's row through its Distributed table");
    }
}

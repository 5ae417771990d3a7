using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using FastIngest.Core.ClickHouse;
using FastIngest.Core.ClickHouse.Cluster;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.ClickHouse.Cluster;

/// <summary>
/// Issue 19, item 2 on two ClickHouse 18.16 shards without ZooKeeper: the derived schema applies to every
/// server, rows written to each shard's doors read back through the Distributed tables, and every cookbook
/// query answers through them what one server holding the same rows answers.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class ShardedClusterTests(TwoShards shards) : IClassFixture<TwoShards>
{
    private PrivateClickHouseCluster Cluster => shards.Cluster;

    [Fact]
    public async Task TheSchemaAppliesToEveryServerAndAgainWithoutChange()
    {
        ClickHouseOptions options = Cluster.Options(UniqueName.For("cl_schema"));
        await ClusterSchemaApplier.ApplyAsync(options, CancellationToken.None);
        Dictionary<PrivateClickHouse, string> first = [];
        foreach (PrivateClickHouse server in Cluster.Servers)
        {
            first[server] = await TablesAsync(server, options);
        }

        await ClusterSchemaApplier.ApplyAsync(options, CancellationToken.None);

        var local = ClusterSchema.Local(options.LocalDatabase, replicated: false).Skip(1).Select(s => SchemaStatement.Parse(s, options.LocalDatabase)).ToList();
        var stored = local.Where(s => s.Kind == SchemaStatementKind.StoredTable).Select(s => s.Name).ToList();
        foreach (PrivateClickHouse server in Cluster.Servers)
        {
            string tables = await TablesAsync(server, options);
            Assert.Equal(first[server], tables);
            List<string[]> rows = Tsv.Rows(tables);
            Assert.Equal(
                local.Select(s => s.Name).Order(StringComparer.Ordinal),
                rows.Where(r => r[0] == options.LocalDatabase).Select(r => r[1]).Order(StringComparer.Ordinal));
            Assert.Equal(
                stored.Order(StringComparer.Ordinal).Select(t => $"{t} Distributed"),
                rows.Where(r => r[0] == options.Database).Select(r => $"{r[1]} {r[2]}").Order(StringComparer.Ordinal));
            Assert.DoesNotContain(rows, r => r[0] == options.LocalDatabase && r[2].StartsWith("Replicated", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task RowsWrittenToEachShardsDoorsReadBackThroughTheDistributedTables()
    {
        ClickHouseOptions options = Cluster.Options(UniqueName.For("cl_doors"));
        await ClusterSchemaApplier.ApplyAsync(options, CancellationToken.None);
        PrivateClickHouse shard0 = Cluster.Shards[0][0], shard1 = Cluster.Shards[1][0];
        string l = options.LocalDatabase, d = options.Database;

        // One insert per shard, as the per-shard sinks make them: through the door, with an insert_id.
        await shard0.ExecuteAsync($"INSERT INTO {l}.traffic_1m_in (tenant, minute, requests, bytes_sent, insert_id) VALUES ('shop', '2026-11-26 06:01:00', 3, 300, 11), ('both', '2026-11-26 06:01:00', 2, 20, 11)");
        await shard1.ExecuteAsync($"INSERT INTO {l}.traffic_1m_in (tenant, minute, requests, bytes_sent, insert_id) VALUES ('blog', '2026-11-26 07:59:00', 5, 500, 12), ('both', '2026-11-26 06:02:00', 7, 70, 12)");
        await shard1.ExecuteAsync($"INSERT INTO {l}.status_1m_in (tenant, minute, status, requests, insert_id) VALUES ('blog', '2026-11-26 07:59:00', 200, 5, 13)");

        foreach (PrivateClickHouse reader in Cluster.Servers)
        {
            Assert.Equal(
                "blog 5 500|both 9 90|shop 3 300",
                Joined(await reader.QueryAsync($"SELECT tenant, sum(requests), sum(bytes_sent) FROM {d}.traffic_1m GROUP BY tenant ORDER BY tenant FORMAT TSV")));
            Assert.Equal(
                "blog 2026-11-26 07:00:00 5|both 2026-11-26 06:00:00 9|shop 2026-11-26 06:00:00 3",
                Joined(await reader.QueryAsync($"SELECT tenant, hour, sum(requests) FROM {d}.traffic_1h GROUP BY tenant, hour ORDER BY tenant FORMAT TSV")));
            Assert.Equal("17", (await reader.QueryAsync($"SELECT sum(requests) FROM {d}.traffic_1d WHERE day = '2026-11-26' FORMAT TSV")).Trim());
            Assert.Equal("blog 200 5", Joined(await reader.QueryAsync($"SELECT tenant, status, sum(requests) FROM {d}.status_1m GROUP BY tenant, status FORMAT TSV")));
            Assert.Equal(
                "11 traffic_1m 2|12 traffic_1m 2|13 status_1m 1",
                Joined(await reader.QueryAsync($"SELECT insert_id, target, rows FROM {d}.insert_ledger ORDER BY insert_id FORMAT TSV")));
        }

        // Each shard's ledger holds its own inserts only: what its sink looks up.
        Assert.Equal("11", (await shard0.QueryAsync($"SELECT insert_id FROM {l}.insert_ledger FORMAT TSV")).Trim());
        Assert.Equal("12|13", Joined(await shard1.QueryAsync($"SELECT insert_id FROM {l}.insert_ledger ORDER BY insert_id FORMAT TSV")));
    }

    [Fact]
    public async Task EveryCookbookQueryAnswersThroughTheDistributedTablesWhatOneServerAnswers()
    {
        // One server's answer: a FastIngest server counts real traffic into a database of shard 0's server.
        string single = UniqueName.For("cl_single");
        PrivateClickHouse shard0 = Cluster.Shards[0][0], shard1 = Cluster.Shards[1][0];
        await CountTrafficAsync(shard0, single);

        // The same rows on two shards, by tenant as FastIngest shards them (the hash here is another one:
        // only one tenant per shard matters), copied table by table with remote().
        ClickHouseOptions options = Cluster.Options(UniqueName.For("cl_cookbook"));
        await ClusterSchemaApplier.ApplyAsync(options, CancellationToken.None);
        IEnumerable<string> stored = ClusterSchema.Distributed(options.Database, options.Cluster, options.LocalDatabase).Skip(1)
            .Select(s => SchemaStatement.Parse(s, options.Database).Name);
        for (int shard = 0; shard < 2; shard++)
        {
            foreach (string table in stored)
            {
                string columns = await shard0.QueryAsync($"SELECT name FROM system.columns WHERE database = '{single}' AND table = '{table}' FORMAT TSV");
                string which = columns.Split('\n').Contains("tenant") ? $"cityHash64(tenant) % 2 = {shard}" : $"{shard} = 0";
                await Cluster.Shards[shard][0].ExecuteAsync(
                    $"INSERT INTO {options.LocalDatabase}.{table} SELECT * FROM remote('127.0.0.1:{shard0.TcpPort}', {single}, {table}) WHERE {which}");
            }
        }

        foreach (PrivateClickHouse server in Cluster.Servers)
        {
            Assert.NotEqual("0", (await server.QueryAsync($"SELECT count() FROM {options.LocalDatabase}.traffic_1m FORMAT TSV")).Trim());
        }

        string[] files = Directory.GetFiles(RepoPaths.Combine("clickhouse", "queries"), "*.sql");
        Assert.NotEmpty(files);
        foreach (string file in files)
        {
            string text = File.ReadAllText(file);
            string expected = await shard0.QueryAsync(DatabaseName().Replace(text, single + ".") + "\nFORMAT TSV");
            Assert.False(string.IsNullOrWhiteSpace(expected), $"{Path.GetFileName(file)} returned no rows on one server");

            // Through the other server, so the answer is not the one server's own.
            string distributed = await shard1.QueryAsync(DatabaseName().Replace(text, options.Database + ".") + "\nFORMAT TSV");
            Assert.True(expected == distributed, $"{Path.GetFileName(file)}: one server answered\n{expected}\nthe cluster answered\n{distributed}");
        }
    }

    private static async Task CountTrafficAsync(PrivateClickHouse clickHouse, string db)
    {
        // A bot every 7th line, for bots.sql (as AnalystQueryTests).
        var lines = new NginxLines(seed: 3, botEvery: 7);
        // shop's requests get raw rows too, for requests_behind_a_spike.sql (as AnalystQueryTests).
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, "--FastIngest:RawRows:Tenants:0=shop");
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

    private static Task<string> TablesAsync(PrivateClickHouse server, ClickHouseOptions options) =>
        server.QueryAsync($"SELECT database, name, engine FROM system.tables WHERE database IN ('{options.Database}', '{options.LocalDatabase}') ORDER BY database, name FORMAT TSV");

    private static string Joined(string tsv) => string.Join('|', Tsv.Rows(tsv).Select(r => string.Join(' ', r)));

    [GeneratedRegex(@"\bfastingest\.")]
    private static partial Regex DatabaseName();
}

using System.Text;
using FastIngest.Core.Sinks.ClickHouse;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.Import;

/// <summary>
/// <c>import</c> into a ClickHouse cluster (issue 19): the same <c>ClickHouse:Shards</c> as the server's,
/// so a tenant's history lands on the shard its live traffic does. Two private ClickHouse 18.16 servers
/// as two shards; each shard's local tables are read directly.
/// </summary>
public sealed partial class ImportTests
{
    [Fact]
    public async Task ImportsIntoClickHouseShardsPutEachTenantsHistoryOnItsOwnShardOnceAndARerunAddsNothing()
    {
        var shard1 = new PrivateClickHouse();
        await shard1.InitializeAsync();
        try
        {
            string db = UniqueName.For("import_shards");
            string[] shards =
            [
                $"--FastIngest:ClickHouse:Shards:0:Replicas:0=http://127.0.0.1:{clickHouse.HttpPort}",
                $"--FastIngest:ClickHouse:Shards:1:Replicas:0=http://127.0.0.1:{shard1.HttpPort}",
                $"--FastIngest:ClickHouse:LocalDatabase={db}_local",
            ];
            PrivateClickHouse[] servers = [clickHouse, shard1];
            // A tenant whose name hashes to each shard.
            string[] tenants = [.. Enumerable.Range(0, 2).Select(shard => Enumerable.Range(0, 100).Select(i => "history" + i)
                .First(t => TenantShard.Of(Encoding.UTF8.GetBytes(t), 2) == shard))];

            using var temp = new TempFolder("import-shards");
            var start = new DateTimeOffset(2025, 9, 1, 0, 0, 0, TimeSpan.Zero);
            var expected = new (long Good, long Rejected, long Body)[2];
            for (int shard = 0; shard < 2; shard++)
            {
                string log = Path.Combine(temp.Path, $"access.{tenants[shard]}.log");
                using (var writer = new StreamWriter(log, false, new UTF8Encoding(false)))
                {
                    for (int i = 0; i < 20_000 * (shard + 1); i++)
                    {
                        if (i % 97 == 0)
                        {
                            await writer.WriteAsync($"not a log line {i}\n");
                            expected[shard].Rejected++;
                            continue;
                        }

                        expected[shard].Good++;
                        expected[shard].Body += i;
                        await writer.WriteAsync(NginxLineBuilder.Combined($"10.2.{i % 256}.{i / 256 % 256}", start.AddSeconds(i * 13), $"GET /h/{i % 30} HTTP/1.1", 200, i, "", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0") + "\n");
                    }
                }

                string first = await ImportAsync(tenants[shard], db, temp.Path, [log], shards);
                Assert.Contains($"imported {expected[shard].Good + expected[shard].Rejected:N0} lines ({expected[shard].Good:N0} counted, {expected[shard].Rejected:N0} rejected", first, StringComparison.Ordinal);
                string again = await ImportAsync(tenants[shard], db, temp.Path, [log], shards);
                Assert.Contains("nothing new to import", again, StringComparison.Ordinal);
            }

            // Each tenant's lines and rejects on its shard, exactly once, and nothing on the other.
            for (int shard = 0; shard < 2; shard++)
            {
                Assert.Equal(
                    $"{tenants[shard]}\t{expected[shard].Good}\t{expected[shard].Body}",
                    (await servers[shard].QueryAsync($"SELECT tenant, sum(requests), sum(body_bytes_sent) FROM {db}_local.traffic_1m GROUP BY tenant FORMAT TSV")).Trim());
                Assert.Equal(
                    $"{expected[shard].Rejected}",
                    (await servers[shard].QueryAsync($"SELECT sum(count) FROM {db}_local.ingest_errors FORMAT TSV")).Trim());
            }

            Assert.Empty(Directory.GetFiles(Path.Combine(temp.Path, "state"), "segment-*.spool", SearchOption.AllDirectories));
        }
        finally
        {
            await shard1.DisposeAsync();
        }
    }
}

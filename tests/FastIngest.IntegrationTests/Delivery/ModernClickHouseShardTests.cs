using System.Globalization;
using System.Net;
using System.Net.Sockets;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Delivery;

/// <summary>
/// Issue 19: a shard's inserts into modern ClickHouse (26.7, chDB) carry <c>insert_deduplication_token</c>,
/// which the server knows; on Replicated tables ClickHouse then recognises a retry itself, beside the ledger.
/// </summary>
[Collection("ModernClickHouse")]
[Trait("Category", "Integration")]
public sealed class ModernClickHouseShardTests(ModernClickHouse clickHouse, ITestOutputHelper output)
{
    [Fact]
    public async Task AShardsInsertsIntoModernClickHouseCarryADeduplicationTokenPerInsertAndTable()
    {
        // The server knows both settings (a misspelt or unknown one would refuse every insert).
        Assert.Equal("1", clickHouse.Query("SELECT 1 SETTINGS insert_deduplication_token = 'fastingest-0-traffic_1m', deduplicate_blocks_in_dependent_materialized_views = 1").Trim());

        string db = UniqueName.For("modern_shard");
        var lines = new NginxLines(seed: 54);
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db,
            $"--FastIngest:ClickHouse:Shards:0:Replicas:0={clickHouse.HttpUri}", $"--FastIngest:ClickHouse:LocalDatabase={db}_local"))
        {
            using var client = new TcpClient { NoDelay = true };
            await client.ConnectAsync(IPAddress.Loopback, server.TcpPort);
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var frames = new MemoryStream();
            for (int i = 0; i < 1_000; i++)
            {
                string tenant = "t" + (i % 3).ToString(CultureInfo.InvariantCulture);
                frames.Write(SyslogFrames.OctetCounted(NginxLineBuilder.SyslogDatagram(tenant, lines.Line(tenant, now - i), withHostname: true)));
            }

            await client.GetStream().WriteAsync(frames.ToArray());
            await Eventually.UntilAsync(
                () => long.Parse(clickHouse.Query($"SELECT sum(requests) FROM {db}_local.traffic_1m").Trim(), CultureInfo.InvariantCulture),
                n => n >= 1_000, TimeSpan.FromSeconds(60), $"{db}_local.traffic_1m to hold 1,000 requests");
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        string[] inserts = [.. clickHouse.Requests.Where(r => r.Contains($"INSERT INTO {db}_local.traffic_1m_in", StringComparison.Ordinal))];
        output.WriteLine(string.Join('\n', inserts));
        Assert.NotEmpty(inserts);
        Assert.All(inserts, insert => Assert.Matches("insert_deduplication_token=fastingest-[0-9a-f]{16}-traffic_1m", insert));
        Assert.All(inserts, insert => Assert.Contains("deduplicate_blocks_in_dependent_materialized_views=1", insert, StringComparison.Ordinal));
        Assert.Equal("1000", clickHouse.Query($"SELECT sum(requests) FROM {db}_local.traffic_1m").Trim());
    }
}

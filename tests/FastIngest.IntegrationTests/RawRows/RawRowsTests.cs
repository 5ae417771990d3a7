using System.Globalization;
using System.Net;
using System.Net.Sockets;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.RawRows;

/// <summary>
/// <c>requests_raw</c> on ClickHouse 18.16 through the real server: an opted-in tenant gets one row per
/// line it sent, with the line's own values; a tenant not opted in gets none; nothing personal is stored.
/// </summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class RawRowsTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    [Fact]
    public async Task AnOptedInTenantsRowsAreExactlyItsLinesAndAnotherTenantGetsNone()
    {
        string db = UniqueName.For("rawrows");
        var lines = new NginxLines(seed: 160);
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, "--FastIngest:RawRows:Tenants:0=rawshop"))
        {
            using var client = new TcpClient { NoDelay = true };
            await client.ConnectAsync(IPAddress.Loopback, server.TcpPort);
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            // Four steps of 1,500 lines (two thirds rawshop's), over some three minutes of request times.
            for (int step = 0; step < 4; step++)
            {
                var frames = new MemoryStream();
                for (int i = 0; i < 1_500; i++)
                {
                    string tenant = i % 3 == 0 ? "rawblog" : "rawshop";
                    long time = now - (((step * 1_500) + i) * 30L);
                    frames.Write(SyslogFrames.OctetCounted(NginxLineBuilder.SyslogDatagram(tenant, lines.Line(tenant, time), withHostname: true)));
                }

                await client.GetStream().WriteAsync(frames.ToArray());
            }

            await TrafficTotals.WaitForRequestsAsync(clickHouse, db, 6_000, TimeSpan.FromSeconds(60));
            Assert.Equal(4_000, await server.MetricAsync("fastingest_raw_rows_total"));
            Assert.Equal(0, await server.MetricAsync("fastingest_raw_rows_dropped_total"));
            // Everything it will ever write is in ClickHouse once it has stopped.
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
            output.WriteLine(server.Output);
        }

        Assert.Equal(4_000, lines.Expected["rawshop"].Requests);
        await RawRowTotals.AssertAsync(clickHouse, db, "rawshop", lines.Expected["rawshop"]);
        Assert.Equal(0, await RawRowTotals.RowsAsync(clickHouse, db, "rawblog"));
        await RawRowTotals.AssertLedgerAsync(clickHouse, db);
        // The counters are whole for both, raw rows or not.
        await TrafficTotals.AssertAsync(clickHouse, db, lines.Expected);

        // Every line carried an address (10.0.x.y), an agent, a query (?q=1) and a referrer with a query.
        string stored = await clickHouse.QueryAsync(
            $"SELECT tenant, method, path, referrer_host, agent_class, toString(visitor) FROM {db}.requests_raw FORMAT TSV");
        foreach (string personal in (string[])["10.0.", "Mozilla", "q=1", "?", "search", "quoted"])
        {
            Assert.DoesNotContain(personal, stored, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task PastTheCapLinesStillCountEverywhereAndTheMissingRowsAreCounted()
    {
        string db = UniqueName.For("rawcap");
        var lines = new NginxLines(seed: 161);
        double dropped;
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db,
            "--FastIngest:RawRows:Tenants:0=rawshop", "--FastIngest:RawRows:MaxRowsPerFlush=100", "--FastIngest:Aggregation:FlushInterval=00:01:00"))
        {
            using var client = new TcpClient { NoDelay = true };
            await client.ConnectAsync(IPAddress.Loopback, server.TcpPort);
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var frames = new MemoryStream();
            for (int i = 0; i < 1_000; i++)
            {
                frames.Write(SyslogFrames.OctetCounted(NginxLineBuilder.SyslogDatagram("rawshop", lines.Line("rawshop", now - i), withHostname: true)));
            }

            await client.GetStream().WriteAsync(frames.ToArray());
            // One flush interval (a minute) holds all 1,000 lines; the stop flushes it.
            dropped = await Eventually.UntilAsync(() => server.MetricAsync("fastingest_raw_rows_dropped_total"), n => n >= 900, TimeSpan.FromSeconds(30),
                "900 lines past the cap of 100 rows");
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        long kept = await RawRowTotals.RowsAsync(clickHouse, db, "rawshop");
        Assert.Equal((100L, 900.0), (kept, dropped));
        await TrafficTotals.AssertAsync(clickHouse, db, lines.Expected);
        await RawRowTotals.AssertLedgerAsync(clickHouse, db);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kept {kept}, dropped {dropped}"));
    }
}

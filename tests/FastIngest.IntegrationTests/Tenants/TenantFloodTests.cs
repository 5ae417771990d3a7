using System.Globalization;
using System.Net;
using System.Net.Sockets;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Tenants;

/// <summary>
/// Issue 13 item 1, the tenant flood: 12,000 pixel hits with invented tenants from one address used to fill
/// the tenant table, and every tenant after them was refused as <c>too_many_tenants</c> until a restart.
/// Now the flood is refused by policy, counted by reason, and nobody else is refused.
/// </summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class TenantFloodTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    private const int FloodTenants = 12_000;
    private const string Configured = "shop";
    private const string Active = "regular";

    private readonly string _db = UniqueName.For("tenants");

    [Fact]
    public async Task AFloodOfInventedPixelTenantsRefusesNeitherConfiguredNorActiveTenantsNorNewOnesOfAnotherDoor()
    {
        string db = _db;
        // Defaults but the shard count, fixed so the run is the same on any machine; shop is configured
        // the way operators do it, as a tenant with an API key.
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db,
            "--FastIngest:Aggregation:Shards=2", $"--FastIngest:Tenants:{Configured}:ApiKeys:0=shop-secret-key-0123456789");
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 32 };
        using var http = new HttpClient(handler) { BaseAddress = server.HttpUri };

        // A tenant active before the flood, held by its shard.
        await HitsAsync(http, Active, 3);
        await WaitForHitsAsync(Active, 3);

        // The flood: one address (127.0.0.1), one door (http), every hit a new tenant.
        await Parallel.ForEachAsync(Enumerable.Range(0, FloodTenants), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            using HttpResponseMessage response = await http.GetAsync(new Uri($"/p/evil{i}/k.gif", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode); // refusing a tenant is the shard's business, never the visitor's
        });

        // Right after it: the configured tenant, the active one, and ten new tenants through another door
        // (TCP syslog, lossless): five from the flood's own address, five from another.
        await HitsAsync(http, Configured, 5);
        await HitsAsync(http, Active, 4);
        Dictionary<string, TenantTotals> expected = await SendSyslogAsync(server.TcpPort, IPAddress.Loopback, "site", tenants: 5, linesEach: 3);
        foreach ((string tenant, TenantTotals totals) in await SendSyslogAsync(server.TcpPort, IPAddress.Parse("127.0.0.2"), "other", tenants: 5, linesEach: 3))
        {
            expected.Add(tenant, totals);
        }


        await WaitForHitsAsync(Configured, 5);
        await WaitForHitsAsync(Active, 7);
        await TrafficTotals.WaitForRequestsAsync(clickHouse, db, expected.Values.Sum(t => t.Requests), TimeSpan.FromSeconds(30));

        // Every flood hit is either counted (the tenants the policy admitted) or refused by reason.
        double refused = await Eventually.UntilAsync(
            async () => await server.MetricAsync("fastingest_rejected_total{source=\"http\",reason=\"new_tenant_address_rate\"}")
                + await server.MetricAsync("fastingest_rejected_total{source=\"http\",reason=\"new_tenant_rate\"}")
                + await server.MetricAsync("fastingest_rejected_total{source=\"http\",reason=\"too_many_tenants\"}")
                + await EvilHitsAsync(),
            n => n >= FloodTenants, TimeSpan.FromSeconds(30), "flood hits counted or refused");
        Assert.Equal(FloodTenants, refused);
        double byAddress = await server.MetricAsync("fastingest_rejected_total{source=\"http\",reason=\"new_tenant_address_rate\"}");
        long admitted = await EvilHitsAsync();
        output.WriteLine($"flood: {admitted} tenants admitted, {byAddress} refused as new_tenant_address_rate");
        Assert.InRange(admitted, 1, FloodTenants / 2); // at most the free half of the table, then the rate
        Assert.True(byAddress > FloodTenants / 3, $"{byAddress} refused as new_tenant_address_rate");
        using (var metrics = new HttpClient { BaseAddress = server.HttpUri })
        {
            string text = await metrics.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            Assert.DoesNotContain("source=\"tcp\"", text, StringComparison.Ordinal); // nothing of the other door refused
        }

        // Stopped (everything flushed and written, every table) before the exact sums are read.
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        await TrafficTotals.AssertAsync(clickHouse, db, expected);
        // The refusals are in ingest_errors too, by door and reason, without a tenant.
        string errors = (await clickHouse.QueryAsync(
            $"SELECT source, reason, tenant, sum(count) FROM {db}.ingest_errors GROUP BY source, reason, tenant ORDER BY source, reason FORMAT TSV")).Trim();
        output.WriteLine(errors);
        Assert.Equal($"http\tnew_tenant_address_rate\t\t{byAddress.ToString(CultureInfo.InvariantCulture)}", Assert.Single(errors.Split('\n')));
    }

    private async Task<long> EvilHitsAsync() => long.Parse(
        (await clickHouse.QueryAsync($"SELECT sum(hits) FROM {_db}.pixel_1m WHERE startsWith(tenant, 'evil') FORMAT TSV")).Trim(), CultureInfo.InvariantCulture);

    private static async Task HitsAsync(HttpClient http, string tenant, int count)
    {
        for (int i = 0; i < count; i++)
        {
            using HttpResponseMessage response = await http.GetAsync(new Uri($"/p/{tenant}/home.gif", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private async Task WaitForHitsAsync(string tenant, long expected)
    {
        long hits = await Eventually.UntilAsync(
            async () => long.Parse((await clickHouse.QueryAsync($"SELECT sum(hits) FROM {_db}.pixel_1m WHERE tenant = '{tenant}' FORMAT TSV")).Trim(), CultureInfo.InvariantCulture),
            n => n >= expected, TimeSpan.FromSeconds(30), $"pixel hits of {tenant} to reach {expected}");
        Assert.Equal(expected, hits);
    }

    /// <summary>New tenants over one TCP syslog connection from <paramref name="from"/>.</summary>
    private static async Task<Dictionary<string, TenantTotals>> SendSyslogAsync(int port, IPAddress from, string prefix, int tenants, int linesEach)
    {
        var expected = new Dictionary<string, TenantTotals>();
        using var client = new TcpClient(new IPEndPoint(from, 0));
        await client.ConnectAsync(IPAddress.Loopback, port);
        NetworkStream stream = client.GetStream();
        long ms = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (int t = 0; t < tenants; t++)
        {
            string tenant = prefix + t.ToString(CultureInfo.InvariantCulture);
            var totals = expected[tenant] = new TenantTotals();
            for (int i = 0; i < linesEach; i++)
            {
                long bytes = 100 + i;
                byte[] line = new NginxLineBuilder().Msec(ms).Set("status", "200").Set("bytes_sent", bytes + 50).Set("body_bytes_sent", bytes).Set("uri", "/home").ToUtf8();
                byte[] message = NginxLineBuilder.SyslogDatagram(tenant, line, withHostname: false);
                await stream.WriteAsync(message);
                await stream.WriteAsync("\n"u8.ToArray());
                totals.Add(ms, 200, bytes + 50, bytes, requestTimeMs: null, cache: "", "/home");
            }
        }

        client.Client.Shutdown(SocketShutdown.Send);
        return expected;
    }
}

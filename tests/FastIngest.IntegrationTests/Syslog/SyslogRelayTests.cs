using System.Text;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Syslog;

/// <summary>Real syslog clients in front of the real server: util-linux logger, and rsyslog as a relay.</summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class SyslogRelayTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    private static async Task WaitForTcpMessagesAsync(ServerProcess server, long expected) =>
        await Eventually.UntilAsync(server.HealthAsync, health => health.Tcp("messages") >= expected, TimeSpan.FromSeconds(30),
            $"FastIngest to receive {expected} TCP messages");

    [Fact]
    public async Task LoggerWithOctetCountingDeliversEveryLineExactlyOnce()
    {
        string db = UniqueName.For("logger");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db);
        const int Lines = 3_000;
        var lines = new NginxLines(seed: 5);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await SyslogLogger.SendAsync(server.TcpPort, "blog", Enumerable.Range(0, Lines).Select(i => Encoding.UTF8.GetBytes(lines.Line("blog", now - i))));

        await WaitForTcpMessagesAsync(server, Lines);
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        output.WriteLine(server.Output);

        Assert.Equal(Lines, await TrafficTotals.RequestsAsync(clickHouse, db, "blog"));
        await TrafficTotals.AssertAsync(clickHouse, db, lines.Expected);
        Assert.Equal("0", (await clickHouse.QueryAsync($"SELECT count() FROM {db}.ingest_errors FORMAT TSV")).Trim());
    }

    [Fact]
    public async Task RsyslogRelayingNginxDatagramsOverTcpDeliversEachExactlyOnce()
    {
        string db = UniqueName.For("rsyslog");
        // The corpus is real NGINX lines of 2026-11-22: they must count however long ago that was.
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, ServerProcess.AnyLateness);
        await using RsyslogRelay relay = await RsyslogRelay.StartAsync(server.TcpPort);
        // The real NGINX datagrams of tests/data (unicode, escapes, 8 KB lines), a hundred times over.
        const int Rounds = 100;
        var expected = new Dictionary<string, TenantTotals>();
        for (int round = 0; round < Rounds; round++)
        {
            for (int i = 0; i < Corpus.Datagrams.Length; i++)
            {
                string tenant = Corpus.TenantOf(i);
                (expected.TryGetValue(tenant, out TenantTotals? totals) ? totals : expected[tenant] = new TenantTotals())
                    .AddJsonLine(Encoding.UTF8.GetString(Corpus.JsonLineOf(i)));
            }
        }

        await relay.SendLinesAsync(Enumerable.Range(0, Rounds).SelectMany(_ => Corpus.Datagrams));

        await WaitForTcpMessagesAsync(server, (long)Rounds * Corpus.Datagrams.Length);
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        output.WriteLine(server.Output);

        await TrafficTotals.AssertAsync(clickHouse, db, expected);

        Assert.Equal("0", (await clickHouse.QueryAsync($"SELECT count() FROM {db}.ingest_errors FORMAT TSV")).Trim());
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Syslog;

/// <summary>Real syslog clients in front of the real server: util-linux logger, and rsyslog as a relay.</summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class SyslogRelayTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    /// <summary>The real NGINX datagrams of tests/data (unicode, escapes, 8 KB lines): tag, JSON line.</summary>
    private static List<(string Tenant, byte[] Datagram, JsonElement Line)> CorpusLines()
    {
        var corpus = new List<(string, byte[], JsonElement)>();
        foreach (byte[] datagram in Corpus.Datagrams)
        {
            string text = Encoding.UTF8.GetString(datagram);
            int json = text.IndexOf('{', StringComparison.Ordinal);
            string tenant = text[..json].TrimEnd().TrimEnd(':').Split(' ')[^1];
            corpus.Add((tenant, datagram, JsonDocument.Parse(text[json..]).RootElement.Clone()));
        }

        return corpus;
    }

    private static async Task WaitForTcpMessagesAsync(ServerProcess server, long expected) =>
        await Eventually.UntilAsync(server.HealthAsync, health => health.GetProperty("tcp").GetProperty("messages").GetInt64() >= expected, TimeSpan.FromSeconds(30),
            $"FastIngest to receive {expected} TCP messages");

    [Fact]
    public async Task LoggerWithOctetCountingDeliversEveryLineExactlyOnce()
    {
        string db = "logger_" + Guid.NewGuid().ToString("N")[..8];
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db);
        const int Lines = 3_000;
        var lines = new NginxLines(seed: 5);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await SyslogLogger.SendAsync(server.TcpPort, "blog", Enumerable.Range(0, Lines).Select(i => Encoding.UTF8.GetBytes(lines.Line("blog", now - i))));

        await WaitForTcpMessagesAsync(server, Lines);
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        output.WriteLine(server.Output);

        TenantTotals expected = lines.Expected["blog"];
        var row = Tsv.Rows(await clickHouse.QueryAsync($"SELECT sum(requests), sum(bytes_sent), sum(body_bytes_sent) FROM {db}.traffic_1m WHERE tenant = 'blog' FORMAT TSV"))[0];
        Assert.Equal($"{Lines} {expected.BytesSent} {expected.BodyBytesSent}", string.Join(' ', row));
        Assert.Equal("0", (await clickHouse.QueryAsync($"SELECT count() FROM {db}.ingest_errors FORMAT TSV")).Trim());
    }

    [Fact]
    public async Task RsyslogRelayingNginxDatagramsOverTcpDeliversEachExactlyOnce()
    {
        string db = "rsyslog_" + Guid.NewGuid().ToString("N")[..8];
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db);
        await using RsyslogRelay relay = await RsyslogRelay.StartAsync(server.TcpPort);
        const int Rounds = 100;
        var corpus = CorpusLines();
        await relay.SendLinesAsync(Enumerable.Range(0, Rounds).SelectMany(_ => corpus.Select(c => c.Datagram)));

        await WaitForTcpMessagesAsync(server, (long)Rounds * corpus.Count);
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        output.WriteLine(server.Output);

        foreach (IGrouping<string, (string Tenant, byte[] Datagram, JsonElement Line)> tenant in corpus.GroupBy(c => c.Tenant))
        {
            long bytes = tenant.Sum(c => long.Parse(c.Line.GetProperty("bytes_sent").GetString()!, CultureInfo.InvariantCulture));
            long body = tenant.Sum(c => long.Parse(c.Line.GetProperty("body_bytes_sent").GetString()!, CultureInfo.InvariantCulture));
            var row = Tsv.Rows(await clickHouse.QueryAsync(
                $"SELECT sum(requests), sum(bytes_sent), sum(body_bytes_sent) FROM {db}.traffic_1m WHERE tenant = '{tenant.Key}' FORMAT TSV"))[0];
            Assert.Equal($"{Rounds * tenant.Count()} {Rounds * bytes} {Rounds * body}", string.Join(' ', row));
        }

        Assert.Equal("0", (await clickHouse.QueryAsync($"SELECT count() FROM {db}.ingest_errors FORMAT TSV")).Trim());
    }
}

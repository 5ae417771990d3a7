using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.ClickHouse;

/// <summary>
/// browsers.sql, devices.sql and bots.sql answer exactly what known traffic contains (issue 18): every
/// agent of the classifier's table (tests/FastIngest.Tests/Parsing/Agents/user-agents.tsv, with the
/// answer it must read as), a few times each from known addresses, for two tenants, over TCP syslog to
/// the real server and ClickHouse 18.16. The expected answers come from the table, not from the server.
/// </summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed partial class AgentQueryTests(PrivateClickHouse clickHouse)
{
    private sealed record Sent(string Tenant, string Agent, string Address, string Browser, string Os, string Device, string Bot);

    [Fact]
    public async Task BrowsersDevicesAndBotsAnswerExactlyWhatWasSent()
    {
        string db = UniqueName.For("agents");
        List<(string Agent, string Browser, string Os, string Device, string Bot)> table = ReadTable();
        Assert.True(table.Count > 300, $"only {table.Count} agents read from the table");
        var sent = new List<Sent>();
        for (int i = 0; i < table.Count; i++)
        {
            (string agent, string browser, string os, string device, string bot) = table[i];
            // shop gets every agent, blog every other one; each 1-3 times from one or two addresses.
            foreach (string tenant in i % 2 == 0 ? new[] { "uashop", "uablog" } : ["uashop"])
            {
                for (int repeat = 0; repeat < 1 + (i % 3); repeat++)
                {
                    sent.Add(new Sent(tenant, agent, $"10.{tenant.Length}.{i % 250}.{repeat % 2}", browser, os, device, bot));
                }
            }
        }

        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db))
        {
            using var client = new TcpClient { NoDelay = true };
            await client.ConnectAsync(IPAddress.Loopback, server.TcpPort);
            // One request time for all: one UTC day, so a visitor is an (address, agent) pair.
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var frames = new MemoryStream();
            foreach (Sent line in sent)
            {
                string json = new NginxLineBuilder().Time(now).Set("status", 200).Set("uri", "/").Set("request_method", "GET")
                    .Set("remote_addr", line.Address).Set("http_user_agent", line.Agent).ToJson();
                frames.Write(SyslogFrames.OctetCounted(NginxLineBuilder.SyslogDatagram(line.Tenant, json, withHostname: false)));
            }

            await client.GetStream().WriteAsync(frames.ToArray());
            await TrafficTotals.WaitForRequestsAsync(clickHouse, db, sent.Count, TimeSpan.FromSeconds(60));
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        var people = sent.Where(s => s.Bot == "-").ToList();
        Assert.Equal(
            Expected(people, s => s.Browser),
            await AnswerAsync(db, "browsers.sql"));
        Assert.Equal(
            Expected(people, s => $"{s.Device}\t{s.Os}"),
            await AnswerAsync(db, "devices.sql"));

        // bots.sql: hits per family, the share of the tenant's requests (rounded to 4 places), no visitors.
        List<string[]> bots = Tsv.Rows(await QueryFileAsync(db, "bots.sql"));
        List<(string Tenant, string Bot, int Hits)> expectedBots = [.. sent.Where(s => s.Bot != "-")
            .GroupBy(s => (s.Tenant, Bot: s.Bot[(s.Bot.IndexOf(':') + 1)..]))
            .Select(g => (g.Key.Tenant, g.Key.Bot, g.Count()))
            .OrderBy(b => b.Tenant, StringComparer.Ordinal).ThenByDescending(b => b.Item3).ThenBy(b => b.Bot, StringComparer.Ordinal)];
        Assert.True(expectedBots.Count > 20, "the table has many bot families");
        Assert.Equal(expectedBots.Select(b => $"{b.Tenant}\t{b.Bot}\t{b.Hits}\t0"), bots.Select(r => $"{r[0]}\t{r[1]}\t{r[2]}\t{r[4]}"));
        foreach (((string tenant, _, int hits), string[] row) in expectedBots.Zip(bots))
        {
            double share = (double)hits / sent.Count(s => s.Tenant == tenant);
            Assert.Equal(Math.Round(share, 4), double.Parse(row[3], CultureInfo.InvariantCulture), 9);
        }
    }

    // tenant, group, hits, unique visitors (distinct address and agent), busiest first as the queries order.
    private static List<string> Expected(List<Sent> people, Func<Sent, string> group) =>
        [.. people.GroupBy(s => (s.Tenant, Group: group(s)))
            .Select(g => (g.Key.Tenant, g.Key.Group, Hits: g.Count(), Visitors: g.Select(s => s.Address + "|" + s.Agent).Distinct().Count()))
            .OrderBy(r => r.Tenant, StringComparer.Ordinal).ThenByDescending(r => r.Hits).ThenBy(r => r.Group, StringComparer.Ordinal)
            .Select(r => $"{r.Tenant}\t{r.Group}\t{r.Hits}\t{r.Visitors}")];

    private async Task<List<string>> AnswerAsync(string db, string file) =>
        [.. Tsv.Rows(await QueryFileAsync(db, file)).Select(r => string.Join('\t', r))];

    private Task<string> QueryFileAsync(string db, string file) =>
        clickHouse.QueryAsync(DatabaseName().Replace(File.ReadAllText(RepoPaths.Combine("clickhouse", "queries", file)), db + ".") + "\nFORMAT TSV");

    /// <summary>The classifier's table: agent and expected browser, OS, device and bot; agents written with escapes are left out.</summary>
    private static List<(string Agent, string Browser, string Os, string Device, string Bot)> ReadTable()
    {
        var rows = new List<(string, string, string, string, string)>();
        foreach (string line in File.ReadAllLines(RepoPaths.Combine("tests", "FastIngest.Tests", "Parsing", "Agents", "user-agents.tsv")))
        {
            string[] f = line.Split('\t');
            if (line.StartsWith('#') || f.Length != 6 || f[0].Contains('\\', StringComparison.Ordinal))
            {
                continue;
            }

            rows.Add((f[0], f[1], f[3], f[4], f[5]));
        }

        return rows;
    }

    [GeneratedRegex(@"\bfastingest\.")]
    private static partial Regex DatabaseName();
}

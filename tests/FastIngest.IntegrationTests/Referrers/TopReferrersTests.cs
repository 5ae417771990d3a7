using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.Referrers;

/// <summary>
/// Issue 18, item 1, end to end: known referrers over real TCP syslog and the real pixel doors, through the
/// server, into referrers_1d on ClickHouse 18.16, read back with clickhouse/queries/top_referrers.sql.
/// </summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed partial class TopReferrersTests(PrivateClickHouse clickHouse)
{
    private const string Browser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    private const string Bot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
    private const int Budget = 16;
    private const int FloodHosts = 24;

    // The group values of ReferrerGroup, as the Enum8 of referrers_1d orders them.
    private static readonly string[] s_groups = ["direct", "other", "internal", "search", "social", "email"];

    // Rows of ReferrerClassifierTests' table (referrer | host | group), and the internal and direct cases:
    // shop serves www.shop.example (its lines' Host) and configures shop-cdn.example as its own. Each
    // referrer comes with its number of lines, so the top 10 are known and the rest fold.
    private static readonly (string Referrer, string Host, string Group, int Lines)[] s_shop =
    [
        ("https://www.google.com/", "google.com", "search", 13),
        ("https://www.google.co.uk/", "google.co.uk", "search", 3),
        ("https://www.bing.com/search?q=fastingest&form=QBLH", "bing.com", "search", 5),
        ("https://duckduckgo.com/", "duckduckgo.com", "search", 2),
        ("https://www.facebook.com/", "facebook.com", "social", 9),
        ("https://t.co/AbC123xyz", "t.co", "social", 4),
        ("https://old.reddit.com/r/dotnet/comments/1", "old.reddit.com", "social", 1),
        ("https://mail.google.com/mail/u/0/", "mail.google.com", "email", 6),
        ("https://outlook.live.com/", "outlook.live.com", "email", 2),
        ("https://www.shop.example/cart", "shop.example", "internal", 11), // internal by the request's Host
        ("https://static.shop-cdn.example/app.css", "static.shop-cdn.example", "internal", 7), // by the configured own host
        ("-", "", "direct", 8),
        ("", "", "direct", 2),
        ("http://partner.example:8080/p?id=1", "partner.example", "other", 1),
    ];

    [Fact]
    public Task TopReferrersAnswersExactlyWhatWasSentWithTheRestAndTheBudgetFoldedIntoOther() =>
        TopReferrersAnswersExactlyWhatWasSentAsync((db, args) => ServerProcess.StartAsync(clickHouse, db, args), clickHouse.QueryAsync);

    /// <summary>The whole check against one ClickHouse: 18.16 here, 26.7 in <see cref="ModernClickHouseTopReferrersTests"/>.</summary>
    internal static async Task TopReferrersAnswersExactlyWhatWasSentAsync(Func<string, string[], Task<ServerProcess>> startServer, Func<string, Task<string>> query)
    {
        string db = UniqueName.For("referrers");
        var sent = new Dictionary<string, List<(string Group, string Host, string Visitor)>> { ["shop"] = [], ["flood"] = [] };
        var frames = new MemoryStream();
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        int line = 0;
        foreach ((string referrer, string host, string group, int count) in s_shop)
        {
            for (int i = 0; i < count; i++)
            {
                string address = "198.51.100." + (line++ % 7).ToString(CultureInfo.InvariantCulture);
                Add("shop", "www.shop.example", referrer, Browser, address, dnt: false);
                sent["shop"].Add((group, host, address));
            }
        }

        // A landing page's line: its request's utm_source is the tagged source, and nothing else of its query is kept.
        Add("shop", "www.shop.example", "https://www.google.com/", Browser, "198.51.100.60", dnt: false, "/landing?utm_source=Launch&email=someone%40example.com");
        sent["shop"].Add(("search", "google.com", "198.51.100.60"));

        // A visit without a visitor (DNT), and bots, whose referrers are not counted (referrer spam).
        Add("shop", "www.shop.example", "https://www.facebook.com/", Browser, "198.51.100.50", dnt: true);
        sent["shop"].Add(("social", "facebook.com", ""));
        for (int i = 0; i < 5; i++)
        {
            Add("shop", "www.shop.example", "https://spam-" + i.ToString(CultureInfo.InvariantCulture) + ".example/", Bot, "203.0.113.9", dnt: false);
        }

        // flood names more hosts than its budget in one interval: the first 16 by name, the rest '(other)'.
        for (int h = 0; h < FloodHosts; h++)
        {
            string host = $"spam{h:00}.example";
            for (int i = 0; i < FloodVisits(h); i++)
            {
                string address = "192.0.2." + (h % 5).ToString(CultureInfo.InvariantCulture);
                Add("flood", "flood.example", "https://" + host + "/offer", Browser, address, dnt: false);
                sent["flood"].Add(("other", h < Budget ? host : "(other)", address));
            }
        }

        // One interval holds everything (the stop flushes it), so which names fit the budget is known.
        await using (ServerProcess server = await startServer(db, [
            "--FastIngest:Referrers:OwnHosts:shop:0=shop-cdn.example", $"--FastIngest:Referrers:MaxSourcesPerTenant={Budget}",
            "--FastIngest:Pixel:AllowedTenants:0=shop", "--FastIngest:Aggregation:Shards=1", "--FastIngest:Aggregation:FlushInterval=00:10:00"]))
        {
            using (var client = new TcpClient { NoDelay = true })
            {
                await client.ConnectAsync(IPAddress.Loopback, server.TcpPort);
                await client.GetStream().WriteAsync(frames.ToArray());
                await Eventually.UntilAsync(() => server.MetricAsync("fastingest_tcp_messages_total"), n => n >= line + 7 + FloodLines(), TimeSpan.FromSeconds(30),
                    "every line read");
            }

            // The pixel: its page (Referer) is the referrer and its utm_source the tagged source; the pixel's
            // own Host is FastIngest's, so the page is internal through the configured host. One hit per door.
            using (var http = new HttpClient { BaseAddress = server.HttpUri })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/p/shop/home.gif", UriKind.Relative));
                request.Headers.Referrer = new Uri("https://shop-cdn.example/landing?utm_source=Newsletter&utm_medium=email");
                request.Headers.UserAgent.ParseAdd(Browser);
                (await http.SendAsync(request)).EnsureSuccessStatusCode();
            }

            using (var pixel = new HttpClient { BaseAddress = server.PixelUri })
            {
                // Opened in webmail: the page is the mail host.
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/p/shop/mail.gif", UriKind.Relative));
                request.Headers.Referrer = new Uri("https://outlook.live.com/mail/0/inbox/id/AAQ");
                request.Headers.UserAgent.ParseAdd(Browser);
                (await pixel.SendAsync(request)).EnsureSuccessStatusCode();
            }

            sent["shop"].Add(("internal", "shop-cdn.example", "127.0.0.1"));
            sent["shop"].Add(("email", "outlook.live.com", "127.0.0.1"));
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        }

        string sql = DatabaseName().Replace(File.ReadAllText(RepoPaths.Combine("clickhouse", "queries", "top_referrers.sql")), db + ".");
        List<string[]> rows = Tsv.Rows(await query(sql + "\nFORMAT TSV"));
        foreach (string tenant in new[] { "flood", "shop" })
        {
            Assert.Equal(Expected(sent[tenant]), rows.Where(r => r[0] == tenant).Select(r => string.Join(' ', r.Skip(1))));
        }

        Assert.Equal(["flood", "shop"], rows.Select(r => r[0]).Distinct());
        Assert.Equal($"{Budget + 1}", (await query($"SELECT uniqExact(host) FROM {db}.referrers_1d WHERE tenant = 'flood' FORMAT TSV")).Trim());
        // The tagged source is stored beside its host; every visit went through the ledger once.
        Assert.Equal("google.com\tlaunch\t1\t1\nshop-cdn.example\tnewsletter\t1\t1", (await query(
            $"SELECT host, tagged_source, sumMerge(visits), uniqIfMerge(visitors) FROM {db}.referrers_1d WHERE tagged_source != '' GROUP BY host, tagged_source ORDER BY host FORMAT TSV")).Trim());
        Assert.Equal("1", (await query($"SELECT count() > 0 FROM {db}.insert_ledger WHERE target = 'referrers_1d' FORMAT TSV")).Trim());

        void Add(string tenant, string host, string referrer, string agent, string address, bool dnt, string requestUri = "/")
        {
            string json = new NginxLineBuilder().Msec(now).Set("status", 200).Set("bytes_sent", 100).Set("uri", requestUri.Split('?')[0]).Set("request_uri", requestUri)
                .Set("host", host).Set("http_referer", referrer).Set("http_user_agent", agent).Set("remote_addr", address).Set("http_dnt", dnt ? "1" : "").ToJson();
            frames.Write(SyslogFrames.OctetCounted(NginxLineBuilder.SyslogDatagram(tenant, json, withHostname: true)));
        }
    }

    private static int FloodLines() => Enumerable.Range(0, FloodHosts).Sum(FloodVisits);

    // Past the budget the hosts are the busiest: named, they would lead the top 10.
    private static int FloodVisits(int host) => host < Budget ? 1 + (host % 3) : 5;

    /// <summary>What top_referrers.sql must answer for what was sent: "group referrer visits visitors", in its order.</summary>
    private static List<string> Expected(List<(string Group, string Host, string Visitor)> sent)
    {
        var byReferrer = sent.GroupBy(s => (Group: Array.IndexOf(s_groups, s.Group), s.Host))
            .Select(g => (g.Key.Group, g.Key.Host, Rows: g.ToList()))
            .OrderByDescending(r => r.Rows.Count).ThenBy(r => r.Group).ThenBy(r => r.Host, StringComparer.Ordinal)
            .ToList();
        var top = byReferrer.Take(10).Select(r => (r.Group, r.Host)).ToHashSet();
        return [.. sent.GroupBy(s => (Group: Array.IndexOf(s_groups, s.Group), Referrer: top.Contains((Array.IndexOf(s_groups, s.Group), s.Host)) ? s.Host : "(other)"))
            .Select(g => (g.Key.Group, g.Key.Referrer, Visits: g.Count(), Visitors: g.Where(s => s.Visitor.Length > 0).Select(s => s.Visitor).Distinct().Count()))
            .OrderBy(r => r.Referrer == "(other)").ThenByDescending(r => r.Visits).ThenBy(r => r.Group).ThenBy(r => r.Referrer, StringComparer.Ordinal)
            .Select(r => $"{s_groups[r.Group]} {r.Referrer} {r.Visits} {r.Visitors}")];
    }

    [GeneratedRegex(@"\bfastingest\.")]
    private static partial Regex DatabaseName();
}

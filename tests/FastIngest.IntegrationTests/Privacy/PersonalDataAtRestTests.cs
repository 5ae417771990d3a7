using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using FastIngest.Core.Internal;
using FastIngest.Core.Sinks.ClickHouse;
using FastIngest.Core.Sinks.Spool;
using FastIngest.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Privacy;

/// <summary>
/// Issue 14, item 3: after hostile input through every door (lines, hits and events full of addresses,
/// agents, tokens, user ids, cookies and bearer tokens, valid and broken), no planted value is anywhere at
/// rest: not in any column of any table of the database, not in the state directory, not in the spool.
/// </summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class PersonalDataAtRestTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    private static readonly string[] s_planted =
    [
        "203.0.113.77", "2001:db8::dead:beef", "PlantedAgent", "SECRET123", "alice@example.com", "alice",
        "COOKIEVAL", "AUTHTOKEN42",
    ];

    // Issue 18 keeps a referrer's host, and nothing else of the referrer, by design: referrers_1d.host
    // (docs/referrers.md). Planted everywhere else as before: no other column, state file or spooled
    // table may hold it, and the referrer's user, path and query ("alice") are planted like the rest.
    private const string ReferrerHost = "ref.example";

    [Fact]
    public async Task HostileInputThroughEveryDoorLeavesNoPlantedValueInAnyTableTheStateOrTheSpool()
    {
        string db = UniqueName.For("privacy");
        using var state = new TempFolder("privacy-state");
        await using var gate = new ClickHouseProxy(clickHouse.HttpPort);
        string[] args =
        [
            $"--FastIngest:StateDirectory={state.Path}",
            $"--FastIngest:ClickHouse:Url=http://127.0.0.1:{gate.Port}",
            "--FastIngest:Pixel:AllowedTenants:0=acme",
            // Every reject sampled, not the first three per minute: every sample is looked at.
            "--FastIngest:Aggregation:RejectSamplesPerMinute=1000",
        ];

        // Phase 1: ClickHouse unreachable after the schema, so every row goes to the spool first.
        Expected expected;
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, args))
        {
            gate.Close();
            expected = await SendHostileInputAsync(server);
            await Eventually.UntilAsync(() => server.MetricAsync("fastingest_spool_records_written_total"), written => written > 0,
                TimeSpan.FromSeconds(60), "rounds to be spooled while ClickHouse is unreachable");
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
            output.WriteLine(server.Output);
        }

        string spool = Path.Combine(state.Path, "spool");
        List<string> spooledRecords = ReadSpool(spool);
        output.WriteLine($"spool: {spooledRecords.Count} records; state files: {string.Join(", ", Directory.EnumerateFiles(state.Path, "*", SearchOption.AllDirectories).Select(Path.GetFileName))}");
        Assert.NotEmpty(spooledRecords);
        foreach (string record in spooledRecords)
        {
            AssertClean("a spooled round", record, hostKept: true);
            // The host only in referrers_1d's body: every other table of the round is read on its own.
            using var round = new InsertRound();
            Assert.True(round.TryReadFrom(Encoding.Latin1.GetBytes(record)));
            foreach (TableInsert table in round.Tables)
            {
                AssertClean($"a spooled round's {table.Name}", Encoding.Latin1.GetString(table.Body.WrittenSpan), hostKept: table.Index == TableEncoders.Referrers);
            }
        }

        foreach (string file in Directory.EnumerateFiles(state.Path, "*", SearchOption.AllDirectories))
        {
            // Spool segments are the rounds above, compressed: their tables were read one by one.
            bool segment = Path.GetFileName(file).StartsWith("segment-", StringComparison.Ordinal);
            AssertClean(file, Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file)), hostKept: segment);
        }

        // Phase 2: ClickHouse back; the spool replays and everything is counted.
        gate.Open();
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, args))
        {
            await Eventually.UntilAsync(
                () => CountsAsync(db),
                counts => counts == expected,
                TimeSpan.FromSeconds(120),
                $"everything counted: {expected}");
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        }

        int columns = 0;
        foreach (string[] table in Tsv.Rows(await clickHouse.QueryAsync(
            $"SELECT name FROM system.tables WHERE database = '{db}' AND engine NOT IN ('MaterializedView', 'View') ORDER BY name FORMAT TSV")))
        {
            foreach (string[] column in Tsv.Rows(await clickHouse.QueryAsync(
                $"SELECT name FROM system.columns WHERE database = '{db}' AND table = '{table[0]}' FORMAT TSV")))
            {
                columns++;
                string values = await clickHouse.QueryAsync($"SELECT `{column[0]}` FROM {db}.`{table[0]}` FORMAT TabSeparated");
                bool host = table[0] == "referrers_1d" && column[0] == "host";
                AssertClean($"{table[0]}.{column[0]}", values, hostKept: host);
                if (host)
                {
                    // The host is what is kept of "https://ref.example/?u=alice": exactly the host.
                    Assert.Contains(ReferrerHost, values.Split('\n'));
                }
            }
        }

        output.WriteLine($"{columns} columns read");
        Assert.True(columns > 20, $"only {columns} columns");
        string samples = await clickHouse.QueryAsync($"SELECT source, reason, sample FROM {db}.ingest_errors WHERE sample != '' ORDER BY source, reason FORMAT TSV");
        output.WriteLine(samples);
        // Still useful to an operator: the field and the value that was wrong.
        Assert.Contains("\"status\":\"abc\" <-invalid_status", samples, StringComparison.Ordinal);
    }

    private static void AssertClean(string where, string text, bool hostKept = false)
    {
        foreach (string planted in hostKept ? s_planted : [.. s_planted, ReferrerHost])
        {
            Assert.False(text.Contains(planted, StringComparison.OrdinalIgnoreCase), $"{where} holds \"{planted}\":\n{(text.Length > 4000 ? text[..4000] : text)}");
        }
    }

    /// <summary>The spool's rounds, decompressed (a copy of the folder, so the server's is untouched).</summary>
    private static List<string> ReadSpool(string directory)
    {
        using var copy = new TempFolder("privacy-spool");
        foreach (string file in Directory.EnumerateFiles(directory))
        {
            File.Copy(file, Path.Combine(copy.Path, Path.GetFileName(file)));
        }

        var records = new List<string>();
        using DiskSpool spool = DiskSpool.Open(new SpoolOptions { Directory = copy.Path }, NullLogger.Instance);
        using var record = new PooledBufferWriter();
        while (spool.TryReadOldest(record))
        {
            records.Add(Encoding.Latin1.GetString(record.WrittenSpan));
            spool.AcknowledgeOldest();
        }

        return records;
    }

    private async Task<Expected> CountsAsync(string db)
    {
        string Scalar(string text) => text.Trim() is { Length: > 0 } t && t != "\\N" ? t : "0";
        return new Expected(
            long.Parse(Scalar(await clickHouse.QueryAsync($"SELECT sum(requests) FROM {db}.traffic_1m FORMAT TSV"))),
            long.Parse(Scalar(await clickHouse.QueryAsync($"SELECT sum(hits) FROM {db}.pixel_1m FORMAT TSV"))),
            long.Parse(Scalar(await clickHouse.QueryAsync($"SELECT sum(events) FROM {db}.events_1m FORMAT TSV"))),
            long.Parse(Scalar(await clickHouse.QueryAsync($"SELECT sum(count) FROM {db}.ingest_errors FORMAT TSV"))));
    }

    private static async Task<Expected> SendHostileInputAsync(ServerProcess server)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        string[] good =
        [
            HostileLine(now, "203.0.113.77").ToJson(),
            HostileLine(now, "2001:db8::dead:beef").ToJson(),
            HostileLine(now, "203.0.113.77").Set("uri", "/a/b?token=SECRET123").ToJson(),
        ];
        string cut = HostileLine(now, "203.0.113.77").ToJson();
        string[] bad =
        [
            HostileLine(now, "203.0.113.77").Set("status", "abc").ToJson(),
            HostileLine(now, "2001:db8::dead:beef").Set("msec", "12:00").ToJson(),
            HostileLine(now, "203.0.113.77").Set("bytes_sent", "-5").ToJson(),
            HostileLine(now, "203.0.113.77").Set("status", "").ToJson(),
            cut[..(cut.IndexOf("PlantedAgent", StringComparison.Ordinal) + 8)],
        ];
        byte[] garbage = Encoding.UTF8.GetBytes("203.0.113.77 alice@example.com GET /?token=SECRET123 Bearer AUTHTOKEN42 PlantedAgent");

        // UDP and TCP syslog: the same valid and broken lines, and a datagram with no syslog header.
        using (var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            udp.Connect(new IPEndPoint(IPAddress.Loopback, server.UdpPort));
            foreach (string line in good.Concat(bad))
            {
                udp.Send(NginxLineBuilder.SyslogDatagram("shop", line, withHostname: false));
            }

            udp.Send(garbage);
        }

        using (var tcp = new TcpClient { NoDelay = true })
        {
            await tcp.ConnectAsync(IPAddress.Loopback, server.TcpPort);
            NetworkStream stream = tcp.GetStream();
            foreach (string line in good.Concat(bad))
            {
                await stream.WriteAsync(SyslogFrames.OctetCounted(NginxLineBuilder.SyslogDatagram("shop", line, withHostname: true)));
            }

            await stream.WriteAsync(SyslogFrames.OctetCounted(garbage));
        }

        using var http = new HttpClient { BaseAddress = server.HttpUri };
        // Pixel: two hits with every personal header, then a URL naming an address and one an e-mail.
        foreach (string path in new[] { "/p/acme/home.gif?token=SECRET123&email=alice@example.com", "/p/acme/home.gif?u=alice", "/p/203.0.113.77/home.gif", "/p/acme/alice@example.com.gif?token=SECRET123" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
            request.Headers.TryAddWithoutValidation("User-Agent", "Mozilla/5.0 PlantedAgent/1.0");
            request.Headers.TryAddWithoutValidation("Cookie", "session=COOKIEVAL");
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer AUTHTOKEN42");
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", "2001:db8::dead:beef, 203.0.113.77");
            request.Headers.TryAddWithoutValidation("Referer", "https://ref.example/?u=alice");
            using HttpResponseMessage response = await http.SendAsync(request);
        }

        // Events: two good ones with a user id and a token in the path, four broken (one refused on the shard).
        string user = "\"user_id\":\"alice@example.com\"";
        string[] events =
        [
            "{\"site_id\":\"shop\",\"event_type\":\"buy\",\"path\":\"/cart?token=SECRET123\"," + user + "}",
            "{\"site_id\":\"shop\",\"event_type\":\"buy\",\"path\":\"/cart#alice\",\"user_id\":\"203.0.113.77\"}",
            "{\"site_id\":\"shop\",\"event_type\":\"buy\",\"user_id\":{\"email\":\"alice@example.com\"}}",
            "{\"site_id\":\"shop\",\"event_type\":\"buy\",\"user_id\":\"" + new string('x', 300) + "alice@example.com\"}",
            "{\"site_id\":\"shop\"," + user + ",\"authorization\":\"Bearer AUTHTOKEN42\"",
            "{\"site_id\":\"shop\",\"event_type\":\"buy\",\"timestamp\":\"2001-01-01T00:00:00Z\"," + user + "}",
        ];
        foreach (string json in events)
        {
            using var content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/event", UriKind.Relative)) { Content = content };
            request.Headers.TryAddWithoutValidation("Cookie", "session=COOKIEVAL");
            request.Headers.TryAddWithoutValidation("User-Agent", "PlantedAgent");
            using HttpResponseMessage response = await http.SendAsync(request);
        }

        // 3 + 3 lines; 2 hits; 2 events; rejects: 6 per syslog door, 2 pixel URLs, 4 events.
        return new Expected(Requests: 6, PixelHits: 2, Events: 2, Rejects: 6 + 6 + 2 + 4);
    }

    private static NginxLineBuilder HostileLine(long now, string address) => new NginxLineBuilder()
        .Msec(now)
        .Set("status", "200")
        .Set("bytes_sent", 512)
        .Set("body_bytes_sent", 300)
        .Set("request_method", "GET")
        .Set("remote_addr", address)
        .Set("http_x_forwarded_for", "2001:db8::dead:beef, 203.0.113.77")
        .Set("http_user_agent", "Mozilla/5.0 (X11) PlantedAgent/1.0")
        .Set("request_uri", "/a/b?token=SECRET123&email=alice@example.com")
        .Set("http_referer", "https://ref.example/?u=alice")
        .Set("http_cookie", "session=COOKIEVAL")
        .Set("http_authorization", "Bearer AUTHTOKEN42")
        .Set("user_id", "alice@example.com");

    private sealed record Expected(long Requests, long PixelHits, long Events, long Rejects);
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Memory;

/// <summary>
/// Issue 13, memory bounded in bytes: 60,000 syslog lines with unique 8 KB URIs over 100 tags raised the
/// server from 115 MB to 692 MB, because name tables were capped in names, not bytes. With default
/// settings each path is now cut to 1 KiB and the shard's tables hold at most MaxNameBytesPerShard, so
/// the peak stays under the bound docs/operations.md#bounds computes from the settings, and every
/// request still counts exactly once.
/// </summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class LongPathFloodTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    private const int Shards = 2; // the default on the 2-core box; fixed so the bound is the same anywhere
    private const int Tags = 100;
    private const int MaxMessageBytes = 64 * 1024; // SyslogOptions.MaxMessageBytes, the default
    private const string IdPlaceholder = "00000000";

    /// <param name="lines">Lines sent, each with a URI of its own (unique in its first bytes, so a cut cannot merge them).</param>
    /// <param name="messageBytes">0: URIs of 8,192 bytes (the issue's flood); else each syslog message is this long.</param>
    [Theory]
    [InlineData(60_000, 0)]
    [InlineData(20_000, MaxMessageBytes)]
    public async Task UniqueLongUrisOverManyTagsStayUnderTheDocumentedBoundAndCountExactly(int lines, int messageBytes)
    {
        string db = UniqueName.For("longpaths");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, "--FastIngest:Aggregation:Shards=" + Shards.ToString(CultureInfo.InvariantCulture));
        long startRss = ProcessMemory.PeakRssKilobytes(server.ProcessId);
        var stopwatch = Stopwatch.StartNew();

        long ms = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 60_000 - 5) * 60_000;
        string[] tags = [.. Enumerable.Range(0, Tags).Select(t => "tag" + t.ToString("d3", CultureInfo.InvariantCulture))];
        Dictionary<string, TenantTotals> expected = tags.ToDictionary(tag => tag, _ => new TenantTotals());
        // Four connections, each sending every fourth tag's lines: the attack over a few sockets.
        const int Connections = 4;
        await Task.WhenAll(Enumerable.Range(0, Connections).Select(c =>
            Task.Run(() => SendAsync(server.TcpPort, tags, c, Connections, lines, messageBytes, ms, expected))));
        await TrafficTotals.WaitForRequestsAsync(clickHouse, db, lines, TimeSpan.FromSeconds(120));
        TimeSpan sent = stopwatch.Elapsed;
        long peakRss = ProcessMemory.PeakRssKilobytes(server.ProcessId);
        double truncated = await server.MetricAsync("fastingest_names_truncated_total");
        double folded = await server.MetricAsync("fastingest_folded_total");
        double nameBytes = await server.MetricAsync("fastingest_name_table_bytes");
        double heapBytes = await server.MetricAsync("fastingest_gc_heap_bytes");
        long rssAfter = ProcessMemory.RssKilobytes(server.ProcessId);
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));

        long bound = DocumentedBoundMegabytes(Shards);
        var longest = Tsv.Rows(await clickHouse.QueryAsync($"SELECT max(length(path)), countIf(endsWith(path, '…')) FROM {db}.paths_1h FORMAT TSV")).Single();
        output.WriteLine(
            $"{lines} lines of {(messageBytes == 0 ? "8 KB URIs" : messageBytes + "-byte messages")} in {sent.TotalSeconds:F1} s; VmHWM {startRss / 1024} MB after start, " +
            $"{peakRss / 1024} MB peak, VmRSS {rssAfter / 1024} MB once counted; bound {bound} MB; truncated {truncated}, folded {folded}, " +
            $"name tables {nameBytes / 1024 / 1024:F1} MB, managed heap {heapBytes / 1024 / 1024:F1} MB; longest stored path {longest[0]} bytes, {longest[1]} cut rows");

        // Every request once in traffic_1m, status_1m and paths_1h (named, cut, or as (other)).
        await TrafficTotals.AssertAsync(clickHouse, db, expected);
        Assert.Equal(lines, truncated); // every URI was over 1 KiB, and every one was counted cut
        Assert.Equal("1024", longest[0]); // MaxNameBytes, the default: 1,021 bytes of the URI and the 3-byte mark
        Assert.Equal("0", (await clickHouse.QueryAsync($"SELECT count() FROM {db}.ingest_errors FORMAT TSV")).Trim());
        Assert.True(peakRss / 1024 < bound, $"peak RSS {peakRss / 1024} MB, documented bound {bound} MB");
    }

    /// <summary>
    /// The bound of docs/operations.md#bounds with the default settings (but the shard count), term by
    /// term as documented there: runtime and code; per shard its name budget and tenant table; the
    /// batches the channels can hold (each grown up to twice MaxMessageBytes); the sink's round bodies
    /// (one interval's names copied into RowBinary, grown by doubling, smaller rungs kept by the
    /// ArrayPool); per-interval buckets, rows and GC headroom.
    /// </summary>
    private static long DocumentedBoundMegabytes(int shards)
    {
        const long MiB = 1024 * 1024;
        const long NameBudget = 32 * MiB; // MaxNameBytesPerShard
        long names = NameBudget + ((10_000 + shards - 1) / shards * (64L + 160));
        long batches = (64 + 2) * 2 * (long)Math.Max(64 * 1024, MaxMessageBytes);
        long round = 4 * NameBudget;
        return (100 * MiB + (shards * (names + batches + round)) + (64 * MiB)) / MiB;
    }

    /// <summary>Sends the lines of every <paramref name="stride"/>-th tag from <paramref name="first"/>, each with a URI of its own.</summary>
    private static async Task SendAsync(int port, string[] tags, int first, int stride, int lines, int messageBytes, long ms, Dictionary<string, TenantTotals> expected)
    {
        // One datagram per tag, built once: per line only the id in the URI's first segment changes.
        var templates = new Dictionary<string, (byte[] Datagram, int IdAt)>();
        for (int t = first; t < tags.Length; t += stride)
        {
            templates[tags[t]] = Template(tags[t], messageBytes, ms);
        }

        using var client = new TcpClient { NoDelay = false };
        await client.ConnectAsync(IPAddress.Loopback, port);
        NetworkStream stream = client.GetStream();
        byte[] buffer = new byte[1024 * 1024];
        int used = 0;
        for (int i = 0; i < lines; i++)
        {
            string tag = tags[i % tags.Length];
            if (!templates.TryGetValue(tag, out (byte[] Datagram, int IdAt) template))
            {
                continue;
            }

            if (used + template.Datagram.Length + 1 > buffer.Length)
            {
                await stream.WriteAsync(buffer.AsMemory(0, used));
                used = 0;
            }

            template.Datagram.CopyTo(buffer, used);
            Encoding.ASCII.GetBytes(i.ToString("x8", CultureInfo.InvariantCulture), buffer.AsSpan(used + template.IdAt));
            used += template.Datagram.Length;
            buffer[used++] = (byte)'\n';
            expected[tag].Add(ms, 200, 1_200, 1_000, requestTimeMs: null, cache: "", path: "/u/");
        }

        await stream.WriteAsync(buffer.AsMemory(0, used));
        client.Client.Shutdown(SocketShutdown.Send);
    }

    /// <summary>A datagram whose URI is <c>/u/{id}/aaa…</c>: 8,192 bytes, or as long as makes the message <paramref name="messageBytes"/>.</summary>
    private static (byte[] Datagram, int IdAt) Template(string tag, int messageBytes, long ms)
    {
        byte[] Build(int fill) => NginxLineBuilder.SyslogDatagram(tag, new NginxLineBuilder()
            .Msec(ms)
            .Set("status", "200")
            .Set("bytes_sent", "1200")
            .Set("body_bytes_sent", "1000")
            .Set("uri", "/u/" + IdPlaceholder + "/" + new string('a', fill))
            .ToUtf8(), withHostname: false);

        int uriPrefix = 3 + IdPlaceholder.Length + 1;
        byte[] datagram = Build(8 * 1024 - uriPrefix);
        if (messageBytes > 0)
        {
            datagram = Build(8 * 1024 - uriPrefix + (messageBytes - datagram.Length));
            Assert.Equal(messageBytes, datagram.Length);
        }

        int idAt = datagram.AsSpan().IndexOf(Encoding.ASCII.GetBytes("/u/" + IdPlaceholder)) + 3;
        return (datagram, idAt);
    }
}

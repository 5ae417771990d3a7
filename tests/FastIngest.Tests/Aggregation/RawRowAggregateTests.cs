using System.Text;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;
using FastIngest.Core.Parsing;
using FastIngest.Core.Sinks;
using FastIngest.Core.Sinks.ClickHouse;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastIngest.Tests.Aggregation;

/// <summary><c>requests_raw</c> as a shard fills it: opt-in per tenant, capped per interval, nothing personal.</summary>
public sealed class RawRowAggregateTests
{
    private const long Msec = 1_795_390_925_123;

    // A browser's agent: a bot's request counts no visitor by default (issue 18), and raw rows carry the visitor.
    private const string Firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

    private static readonly string[] s_corpus = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "data", "access.json.log"));

    private static (Shard Shard, IngestPipeline Pipeline, CollectingSink Sink) NewShard(int maxRows = 4096, params string[] tenants)
    {
        var sink = new CollectingSink();
        var rawRows = new RawRowsOptions { MaxRowsPerFlush = maxRows };
        foreach (string tenant in tenants)
        {
            rawRows.Tenants.Add(tenant);
        }

        var pipeline = new IngestPipeline(new AggregationOptions { Shards = 1 }, sink, sink.Pool, NullLogger.Instance, rawRows: rawRows);
        return (pipeline.Shards[0], pipeline, sink);
    }

    private static IngestBatch Batch(IngestPipeline pipeline, params (string Tenant, string Line)[] messages)
    {
        IngestBatch batch = pipeline.IngestBatches.Rent();
        foreach ((string tenant, string line) in messages)
        {
            byte[] t = Encoding.UTF8.GetBytes(tenant);
            batch.Add(MessageKind.NginxJson, RejectReason.None, System.IO.Hashing.XxHash3.HashToUInt64(t), t, Encoding.UTF8.GetBytes(line), 1_795_400_000);
        }

        return batch;
    }

    private static string Line(string path, int status = 200, long bytes = 100, string cache = "", string referer = "", string agent = Firefox) =>
        new NginxLineBuilder().Msec(Msec).Set("status", status).Set("bytes_sent", bytes).Set("body_bytes_sent", bytes / 2)
            .RequestTime(120).Set("request_method", "GET").Set("uri", path).Set("upstream_cache_status", cache)
            .Set("remote_addr", "198.51.100.7").Set("http_user_agent", agent).Set("http_referer", referer).ToJson();

    [Fact]
    public async Task AnOptedInTenantGetsOneRowPerLineAndOthersNone()
    {
        (Shard shard, IngestPipeline pipeline, CollectingSink sink) = NewShard(tenants: "shop");
        shard.Process(Batch(pipeline,
            ("shop", Line("/a", 200, 100, "HIT", "https://www.Example.com/x?q=1")),
            ("blog", Line("/b", 404, 10)),
            ("shop", Line("/c", 503, 7, "MISS"))));
        await shard.FlushAsync(CancellationToken.None);

        Assert.Equal(3, sink.Traffic.Sum(r => (long)r.Counters.Requests));
        Assert.Equal(["shop"], sink.RawRows.Select(r => r.Tenant).Distinct());
        RawRowText first = sink.RawRows[0];
        Assert.Equal(new RawRowText("shop", (uint)(Msec / 1000), 123, "GET", 200, "/a", 100, 50, 120, (byte)CacheStatus.Hit, "www.example.com", first.Visitor, "firefox/linux/desktop"), first);
        Assert.Equal(("/c", (ushort)503, 7UL, (byte)CacheStatus.Miss, ""), (sink.RawRows[1].Path, sink.RawRows[1].Status, sink.RawRows[1].BytesSent, sink.RawRows[1].CacheStatus, sink.RawRows[1].ReferrerHost));
        Assert.Equal(2, shard.RawRowsKept);
        Assert.Equal(0, shard.RawRowsDropped);
        // The same daily-salted hash visitors_1d counts: raw rows follow no visitor further than it does.
        Assert.Contains(first.Visitor, sink.Visitors.Select(v => v.Visitor));
    }

    [Fact]
    public async Task WithoutOptedInTenantsThereAreNoRowsAndNoCounters()
    {
        (Shard shard, IngestPipeline pipeline, CollectingSink sink) = NewShard();
        shard.Process(Batch(pipeline, ("shop", Line("/a"))));
        await shard.FlushAsync(CancellationToken.None);

        Assert.Empty(sink.RawRows);
        Assert.Equal((0L, 0L), (shard.RawRowsKept, shard.RawRowsDropped));
    }

    [Fact]
    public async Task PastTheCapALineStillCountsEverywhereElseAndItsRowIsCountedAsDropped()
    {
        (Shard shard, IngestPipeline pipeline, CollectingSink sink) = NewShard(5, "shop");
        shard.Process(Batch(pipeline, [.. Enumerable.Range(0, 12).Select(i => ("shop", Line("/p" + i)))]));
        await shard.FlushAsync(CancellationToken.None);

        Assert.Equal(12, sink.Traffic.Sum(r => (long)r.Counters.Requests));
        Assert.Equal(["/p0", "/p1", "/p2", "/p3", "/p4"], sink.RawRows.Select(r => r.Path));
        Assert.Equal((5L, 7L), (shard.RawRowsKept, shard.RawRowsDropped));

        // The cap is per interval: the next one keeps rows again.
        shard.Process(Batch(pipeline, ("shop", Line("/next"))));
        await shard.FlushAsync(CancellationToken.None);
        Assert.Equal("/next", sink.RawRows[^1].Path);
        Assert.Equal((6L, 7L), (shard.RawRowsKept, shard.RawRowsDropped));
    }

    [Fact]
    public async Task NoColumnHoldsTheAddressAgentQueryOrReferrerBeyondItsHost()
    {
        string line = new NginxLineBuilder().Msec(Msec).Set("status", 200).Set("bytes_sent", 1).Set("request_method", "POST")
            .Set("request_uri", "/login?email=alice%40mail.example&token=s3cr3t").Set("remote_addr", "203.0.113.99")
            .Set("http_user_agent", "Mozilla/5.0 AliceBrowser/9.9").Set("http_x_forwarded_for", "192.0.2.55")
            .Set("http_referer", "https://alice:hunter2@Portal.Example.org:8443/inbox?msg=42#unread").ToJson();
        (Shard shard, IngestPipeline pipeline, CollectingSink sink) = NewShard(tenants: "shop");
        shard.Process(Batch(pipeline, ("shop", line)));
        await shard.FlushAsync(CancellationToken.None);

        RawRowText row = Assert.Single(sink.RawRows);
        Assert.Equal(("POST", "/login", "portal.example.org"), (row.Method, row.Path, row.ReferrerHost));

        // What ClickHouse and the spool get: the rows' RowBinary bytes, every column of every table.
        var encoding = new EncodingSink();
        var rawRows = new RawRowsOptions();
        rawRows.Tenants.Add("shop");
        var encoded = new IngestPipeline(new AggregationOptions { Shards = 1 }, encoding, encoding.Pool, NullLogger.Instance, rawRows: rawRows);
        encoded.Shards[0].Process(Batch(encoded, ("shop", line)));
        await encoded.Shards[0].FlushAsync(CancellationToken.None);
        string body = Encoding.Latin1.GetString([.. encoding.Bodies[TableEncoders.RawRows]]);
        Assert.Contains("portal.example.org", body, StringComparison.Ordinal);
        foreach (string personal in (string[])["203.0.113", "192.0.2", "Alice", "alice", "hunter2", "s3cr3t", "email", "token", "8443", "inbox", "msg", "unread", "Mozilla"])
        {
            Assert.DoesNotContain(personal, body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ADoNotTrackRequestKeepsItsRowWithoutAVisitor()
    {
        (Shard shard, IngestPipeline pipeline, CollectingSink sink) = NewShard(tenants: "shop");
        string line = new NginxLineBuilder().Msec(Msec).Set("status", 200).Set("uri", "/a").Set("remote_addr", "198.51.100.7").Set("http_dnt", "1").ToJson();
        shard.Process(Batch(pipeline, ("shop", line)));
        await shard.FlushAsync(CancellationToken.None);

        Assert.Equal(0UL, Assert.Single(sink.RawRows).Visitor);
        Assert.Empty(sink.Visitors);
    }

    [Fact]
    public async Task CountingWithRawRowsAllocatesNothingPerLineOnceWarm()
    {
        (Shard shard, IngestPipeline pipeline, _) = NewShard(tenants: "shop_example");
        IngestBatch batch = Batch(pipeline, [.. s_corpus.Select(l => ("shop_example", l)), .. s_corpus.Select(l => ("blog", l))]);
        // Warm: the row and text arenas of both sets that take turns (the shard's and the pooled batch's).
        for (int i = 0; i < 4; i++)
        {
            shard.Process(batch);
            await shard.FlushAsync(CancellationToken.None);
        }

        long allocated = 0;
        for (int i = 0; i < 20; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            shard.Process(batch);
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            await shard.FlushAsync(CancellationToken.None);
        }

        Assert.Equal(0, shard.Rejected);
        Assert.Equal(24L * s_corpus.Length, shard.RawRowsKept);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void TheArenaStaysWithinItsBoundAndStopsGrowingAcrossFlushes()
    {
        const int cap = 1000;
        var set = new RawRowSet();
        string longPath = "/" + string.Concat(Enumerable.Repeat("é", 5000)); // 2 bytes a character: any cut could split one
        byte[] path = Encoding.UTF8.GetBytes(longPath);
        byte[] host = Encoding.UTF8.GetBytes(new string('h', 400));
        long grown = 0;
        for (int flush = 0; flush < 5; flush++)
        {
            for (int i = 0; i < cap; i++)
            {
                set.Add(new RawRow { Tenant = [] }, "VERYLONGMETHODNAMEXX"u8, path, host);
            }

            if (flush == 1)
            {
                grown = set.CapacityBytes;
            }

            set.Clear();
        }

        Assert.Equal(grown, set.CapacityBytes);
        long perRow = System.Runtime.CompilerServices.Unsafe.SizeOf<RawRow>() + RawRowSet.MaxRowTextBytes;
        Assert.InRange(set.CapacityBytes, 1, 2 * cap * perRow);

        set.Add(new RawRow { Tenant = [] }, "GET"u8, path, host);
        RawRow row = set.Rows[0];
        Assert.Equal(RawRowSet.MaxPathBytes - 1, set.Path(in row).Length); // cut before a split 'é'
        Assert.True(Encoding.UTF8.GetString(set.Path(in row)).All(c => c is '/' or 'é'));
        Assert.Equal(RawRowSet.MaxReferrerHostBytes, set.ReferrerHost(in row).Length);
    }

    [Fact]
    public void AStarIsNotATenantName()
    {
        var options = new RawRowsOptions();
        options.Tenants.Add("*");
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();

        Assert.False(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true));
        Assert.Contains("there is no \"*\"", Assert.Single(results).ErrorMessage, StringComparison.Ordinal);
    }
}

using System.Text;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Events;
using FastIngest.Core.Sinks;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastIngest.Tests.Aggregation;

public sealed class ShardTests
{
    private static readonly string[] s_corpus = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "data", "access.json.log"));

    private static (IngestPipeline Pipeline, CollectingSink Sink) NewPipeline(int shards = 1, int maxTenants = 10_000, int samples = 3)
    {
        var sink = new CollectingSink();
        var options = new AggregationOptions { Shards = shards, MaxTenants = maxTenants, RejectSamplesPerMinute = samples };
        return (new IngestPipeline(options, sink, sink.Pool, NullLogger.Instance), sink);
    }

    private static (IngestPipeline Pipeline, CollectingSink Sink) NewPipeline(AggregationOptions options)
    {
        var sink = new CollectingSink();
        return (new IngestPipeline(options, sink, sink.Pool, NullLogger.Instance), sink);
    }

    private static string PathLine(string path, long bytes = 10, long second = 1_795_390_925) =>
        new NginxLineBuilder().Msec(second * 1000).Set("status", "200").Set("bytes_sent", bytes).Set("body_bytes_sent", bytes).Set("uri", path).ToJson();

    private static IngestBatch EventBatch(IngestPipeline pipeline, params (string Tenant, string Type, string Path)[] events) =>
        EventBatch(pipeline, [.. events.Select(e => (e.Tenant, e.Type, e.Path, 1_795_390_925_000L))]);

    private static IngestBatch EventBatch(IngestPipeline pipeline, (string Tenant, string Type, string Path, long Ms)[] events)
    {
        IngestBatch batch = pipeline.IngestBatches.Rent();
        var message = new byte[EventMessage.MaxEncodedLength];
        foreach ((string tenant, string type, string path, long ms) in events)
        {
            byte[] t = Encoding.UTF8.GetBytes(tenant);
            int length = new EventMessage { TimestampMs = ms, EventType = Encoding.UTF8.GetBytes(type), Path = Encoding.UTF8.GetBytes(path) }.Encode(message);
            batch.Add(MessageKind.Event, RejectReason.None, System.IO.Hashing.XxHash3.HashToUInt64(t), t, message.AsSpan(0, length), 1_795_400_000);
        }

        return batch;
    }

    private static List<string> PathCounts(CollectingSink sink, string tenant) =>
        [.. sink.Paths.Where(p => Encoding.UTF8.GetString(p.Tenant) == tenant)
            .GroupBy(p => Encoding.UTF8.GetString(p.Path))
            .Select(g => $"{g.Key}={g.Sum(p => (long)p.Counters.Requests)}")
            .Order(StringComparer.Ordinal)];

    private static string Line(long msec, int status, long bytes, string cache = "") =>
        new NginxLineBuilder().Msec(msec).Set("status", status).Set("bytes_sent", bytes).Set("body_bytes_sent", bytes / 2).RequestTime(120).Set("upstream_cache_status", cache).ToJson();

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

    [Fact]
    public async Task BucketsLinesByTheMinuteOfTheirOwnTimestamp()
    {
        (IngestPipeline pipeline, CollectingSink sink) = NewPipeline();
        Shard shard = pipeline.Shards[0];
        long minute = 1_795_390_920_000; // a minute start, in ms
        shard.Process(Batch(pipeline,
            ("acme", Line(minute + 1_000, 200, 100, "HIT")),
            ("acme", Line(minute + 59_999, 404, 10, "MISS")),
            ("acme", Line(minute + 60_000, 200, 1)),
            ("acme", Line(minute - 3_600_000, 500, 7)), // an hour late: its own minute
            ("other", Line(minute, 304, 5))));
        await shard.FlushAsync(CancellationToken.None);

        var acme = sink.Traffic.Where(r => Encoding.UTF8.GetString(r.Tenant) == "acme").OrderBy(r => r.Minute).ToList();
        Assert.Equal([(uint)(minute / 1000 - 3600), (uint)(minute / 1000), (uint)(minute / 1000 + 60)], acme.Select(r => r.Minute));
        TrafficCounters first = acme[1].Counters;
        Assert.Equal(2UL, first.Requests);
        Assert.Equal(110UL, first.BytesSent);
        Assert.Equal(55UL, first.BodyBytesSent);
        Assert.Equal((1UL, 1UL, 1UL, 1UL), (first.Status2xx, first.Status4xx, first.CacheHit, first.CacheMiss));
        Assert.Equal((2UL, 240UL), (first.RequestTimeCount, first.RequestTimeSumMs));
        Assert.Equal(2UL, first.Latency[LatencyHistogram.BucketOf(120)]);
        Assert.Equal(1UL, acme[0].Counters.Status5xx);
        Assert.Equal(
            ["acme/200=1", "acme/200=1", "acme/404=1", "acme/500=1", "other/304=1"],
            sink.Statuses.Select(s => $"{Encoding.UTF8.GetString(s.Tenant)}/{s.Status}={s.Requests}").Order());
    }

    [Fact]
    public async Task FlushSendsDeltasAndStartsEmpty()
    {
        (IngestPipeline pipeline, CollectingSink sink) = NewPipeline();
        Shard shard = pipeline.Shards[0];
        shard.Process(Batch(pipeline, ("acme", Line(1_795_390_920_000, 200, 100))));
        await shard.FlushAsync(CancellationToken.None);
        await shard.FlushAsync(CancellationToken.None); // nothing new: no batch
        shard.Process(Batch(pipeline, ("acme", Line(1_795_390_920_000, 200, 100))));
        await shard.FlushAsync(CancellationToken.None);

        Assert.Equal(2, sink.Batches);
        Assert.Equal([1UL, 1UL], sink.Traffic.Select(r => r.Counters.Requests));
        Assert.Equal(2, shard.LinesCounted);
    }

    [Fact]
    public async Task RejectsAreCountedWithAFewSamplesAndTheRestStillCounts()
    {
        (IngestPipeline pipeline, CollectingSink sink) = NewPipeline(samples: 2);
        Shard shard = pipeline.Shards[0];
        var messages = new List<(string, string)>();
        for (int i = 0; i < 10; i++)
        {
            messages.Add(("acme", "not json " + i));
            messages.Add(("acme", Line(1_795_390_920_000, 200, 1)));
        }

        shard.Process(Batch(pipeline, [.. messages]));
        await shard.FlushAsync(CancellationToken.None);

        Assert.Equal(10UL, sink.Traffic.Single().Counters.Requests);
        Assert.All(sink.Errors, e => Assert.Equal(RejectReasons.Name(RejectReason.NotJson), e.Reason));
        Assert.Equal(10UL, (ulong)sink.Errors.Sum(e => (long)e.Count));
        // Redacted (issue 14): the shape of the line, not the line.
        Assert.Equal(2, sink.Errors.Count(e => e.Sample.Length > 0));
        Assert.All(sink.Errors.Where(e => e.Sample.Length > 0), e => Assert.StartsWith("json 10 B, starts with a letter", e.Sample, StringComparison.Ordinal));
        Assert.Equal(10, shard.Rejected);
    }

    [Fact]
    public async Task BinaryRejectSamplesStayWithinTheConfiguredBytes()
    {
        var sink = new CollectingSink();
        var options = new AggregationOptions { Shards = 1, RejectSampleBytes = 64 };
        var pipeline = new IngestPipeline(options, sink, sink.Pool, NullLogger.Instance);
        byte[] binary = new byte[1000];
        new Random(1).NextBytes(binary);
        binary[0] = 0xFF; // never valid UTF-8: every byte may turn into a 3-byte U+FFFD
        IngestBatch batch = pipeline.IngestBatches.Rent();
        batch.Add(MessageKind.Rejected, RejectReason.SyslogHeader, 0, default, binary, 1_795_400_000);
        pipeline.Shards[0].Process(batch);
        await pipeline.Shards[0].FlushAsync(CancellationToken.None);

        string sample = sink.Errors.Single().Sample;
        Assert.InRange(Encoding.UTF8.GetByteCount(sample), 40, 64);
    }

    [Fact]
    public async Task TenantsPastTheCapAreRejectedNotStored()
    {
        (IngestPipeline pipeline, CollectingSink sink) = NewPipeline(maxTenants: 2);
        Shard shard = pipeline.Shards[0];
        shard.Process(Batch(pipeline,
            ("a", Line(1_795_390_920_000, 200, 1)),
            ("b", Line(1_795_390_920_000, 200, 1)),
            ("c", Line(1_795_390_920_000, 200, 1)),
            ("a", Line(1_795_390_920_000, 200, 1))));
        await shard.FlushAsync(CancellationToken.None);

        Assert.Equal(["a=2", "b=1"], sink.Traffic.Select(r => $"{Encoding.UTF8.GetString(r.Tenant)}={r.Counters.Requests}").Order());
        Assert.Equal(RejectReasons.Name(RejectReason.TooManyTenants), sink.Errors.Single().Reason);
    }

    [Fact]
    public async Task PipelineRoutesEveryTenantToOneShardAndDrainsOnStop()
    {
        (IngestPipeline pipeline, CollectingSink sink) = NewPipeline(shards: 4);
        pipeline.Start();
        ShardedBatchWriter writer = pipeline.CreateWriter(IngestSource.Udp);
        for (int i = 0; i < 20_000; i++)
        {
            byte[] tenant = Encoding.UTF8.GetBytes("tenant" + (i % 37));
            byte[] line = Encoding.UTF8.GetBytes(Line(1_795_390_920_000 + i, 200, 3));
            while (!writer.TryAdd(MessageKind.NginxJson, tenant, line, 1_795_400_000))
            {
                await writer.FlushAsync();
            }
        }

        await writer.FlushAsync();
        await pipeline.StopAsync();

        Assert.Equal(20_000UL, (ulong)sink.Traffic.Sum(r => (long)r.Counters.Requests));
        Assert.Equal(37, pipeline.Shards.Sum(s => s.TenantCount)); // each tenant lives in exactly one shard
        Assert.Equal(60_000UL, (ulong)sink.Traffic.Sum(r => (long)r.Counters.BytesSent));
    }

    [Fact]
    public void ParsingAndCountingAllocateNothingPerLineOnceWarm()
    {
        (IngestPipeline pipeline, _) = NewPipeline();
        Shard shard = pipeline.Shards[0];
        var messages = new List<(string, string)>();
        foreach (string line in s_corpus)
        {
            messages.Add(("shop_example", line));
            messages.Add(("blog", line));
        }

        // Referrers of every group and a bot's (issue 18): classified and counted on the same path.
        foreach (string referrer in (string[])["https://www.google.co.uk/", "https://t.co/x", "https://mail.google.com/", "https://shop.example/cart", "https://partner.example:8080/a", "-"])
        {
            messages.Add(("shop_example", ReferrerAggregateTests.Line(referrer)));
            messages.Add(("blog", ReferrerAggregateTests.Line(referrer, agent: ReferrerAggregateTests.Bot)));
        }

        IngestBatch batch = Batch(pipeline, [.. messages]);
        shard.Process(batch); // warm: tenants, buckets, scratch buffer grow once
        shard.Process(batch);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
        {
            shard.Process(batch);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(shard.Rejected == 0, "corpus lines must all parse");
        Assert.Equal(0, allocated);
    }

    [Fact]
    public async Task AFullPathTableForgetsAtFlushSoANewPathIsCountedByNameNotAsOther()
    {
        (IngestPipeline pipeline, CollectingSink sink) = NewPipeline(new AggregationOptions { Shards = 1, MaxPaths = 4 });
        Shard shard = pipeline.Shards[0];
        shard.Process(Batch(pipeline, ("acme", PathLine("/a")), ("acme", PathLine("/b")), ("acme", PathLine("/c")), ("acme", PathLine("/d"))));
        await shard.FlushAsync(CancellationToken.None);
        // Long gone from every bucket: without recycling, the cap would fold every later path forever.
        shard.Process(Batch(pipeline, ("acme", PathLine("/new")), ("acme", PathLine("/newer"))));
        await shard.FlushAsync(CancellationToken.None);

        Assert.Equal(["/a=1", "/b=1", "/c=1", "/d=1", "/new=1", "/newer=1"], PathCounts(sink, "acme"));
        Assert.Equal(0, shard.PathsFolded);
    }

    [Fact]
    public async Task ATenantFloodingUniquePathsLeavesOtherTenantsTheirPathNamesAndSumsStayExact()
    {
        (IngestPipeline pipeline, CollectingSink sink) = NewPipeline(new AggregationOptions { Shards = 1, MaxPaths = 5, MaxPathsPerTenant = 3 });
        Shard shard = pipeline.Shards[0];
        var messages = new List<(string, string)>();
        for (int i = 0; i < 10; i++)
        {
            messages.Add(("flood", PathLine("/x" + i, bytes: 100)));
        }

        messages.Add(("flood", PathLine("/x0", bytes: 100))); // past its budget, a row it already has still counts by name
        messages.Add(("quiet", PathLine("/home")));
        messages.Add(("quiet", PathLine("/about")));
        messages.Add(("quiet", PathLine("/home")));
        shard.Process(Batch(pipeline, [.. messages]));
        await shard.FlushAsync(CancellationToken.None);

        Assert.Equal(["/about=1", "/home=2"], PathCounts(sink, "quiet"));
        Assert.Equal(["(other)=7", "/x0=2", "/x1=1", "/x2=1"], PathCounts(sink, "flood"));
        Assert.Equal(7, shard.PathsFolded);
        Assert.Equal(1_100UL, (ulong)sink.Paths.Where(p => Encoding.UTF8.GetString(p.Tenant) == "flood").Sum(p => (long)p.Counters.BodyBytes));
        Assert.Equal((ulong)sink.Traffic.Sum(t => (long)t.Counters.Requests), (ulong)sink.Paths.Sum(p => (long)p.Counters.Requests));

        // The budget is per interval: after the flush the flooding tenant names new paths again.
        shard.Process(Batch(pipeline, ("flood", PathLine("/y"))));
        await shard.FlushAsync(CancellationToken.None);
        Assert.Contains("/y=1", PathCounts(sink, "flood"));
    }

    [Fact]
    public async Task EventsPastTheCapsFoldTypeAndPathCountEachKindAndKeepSumsExact()
    {
        (IngestPipeline pipeline, CollectingSink sink) = NewPipeline(new AggregationOptions { Shards = 1, MaxEventTypes = 2, MaxPaths = 8, MaxPathsPerTenant = 3 });
        Shard shard = pipeline.Shards[0];
        shard.Process(EventBatch(pipeline,
            ("flood", "view", "/1"), ("flood", "view", "/2"), ("flood", "view", "/3"), ("flood", "view", "/4"), ("flood", "view", "/5"),
            ("quiet", "view", "/home"), ("quiet", "click", "/home"),
            ("quiet", "scroll", "/home"))); // a third type: past MaxEventTypes
        await shard.FlushAsync(CancellationToken.None);

        Assert.Equal(
            ["flood/view/(other)=2", "flood/view//1=1", "flood/view//2=1", "flood/view//3=1", "quiet/(other)//home=1", "quiet/click//home=1", "quiet/view//home=1"],
            sink.Events.Select(e => $"{Encoding.UTF8.GetString(e.Tenant)}/{Encoding.UTF8.GetString(e.EventType)}/{Encoding.UTF8.GetString(e.Path)}={e.Events}").Order(StringComparer.Ordinal));
        Assert.Equal(2, shard.PathsFolded);
        Assert.Equal(1, shard.EventTypesFolded);
        Assert.Equal(3, shard.EventsFolded);
        Assert.Equal(8, shard.EventsCounted);
    }

    [Fact]
    public async Task ATenantsPathBudgetCountsDistinctPathsNotRowsAcrossHoursMinutesTypesAndSources()
    {
        (IngestPipeline pipeline, CollectingSink sink) = NewPipeline(new AggregationOptions { Shards = 1, MaxPathsPerTenant = 2 });
        Shard shard = pipeline.Shards[0];
        var events = new List<(string, string, string, long)>();
        for (int minute = 0; minute < 10; minute++)
        {
            foreach (string type in new[] { "view", "click", "scroll" })
            {
                events.Add(("acme", type, "/a", 1_795_390_920_000 + (minute * 60_000)));
            }
        }

        events.Add(("acme", "view", "/b", 1_795_390_920_000));
        events.Add(("acme", "view", "/c", 1_795_390_920_000)); // a third distinct path: past the budget
        shard.Process(EventBatch(pipeline, [.. events]));
        // The same two paths from the access log, over three hours: no new path, so nothing folds.
        shard.Process(Batch(pipeline,
            ("acme", PathLine("/a", second: 1_795_390_925)), ("acme", PathLine("/a", second: 1_795_394_525)),
            ("acme", PathLine("/b", second: 1_795_398_125)), ("acme", PathLine("/c"))));
        await shard.FlushAsync(CancellationToken.None);

        Assert.Equal(30, sink.Events.Where(e => Encoding.UTF8.GetString(e.Path) == "/a").Sum(e => (long)e.Events));
        Assert.Equal(["(other)", "/a", "/b"], sink.Events.Select(e => Encoding.UTF8.GetString(e.Path)).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(["(other)=1", "/a=2", "/b=1"], PathCounts(sink, "acme"));
        Assert.Equal(2, shard.PathsFolded); // /c once as an event, once as a line
    }

    [Fact]
    public async Task CountingAfterAFlushAllocatesNothingOnceWarm()
    {
        (IngestPipeline pipeline, _) = NewPipeline();
        Shard shard = pipeline.Shards[0];
        var messages = new List<(string, string)>();
        foreach (string line in s_corpus)
        {
            messages.Add(("shop_example", line));
        }

        IngestBatch batch = Batch(pipeline, [.. messages]);
        shard.Process(batch);
        await shard.FlushAsync(CancellationToken.None);
        shard.Process(batch);
        await shard.FlushAsync(CancellationToken.None);

        // Flushing empties the buckets and ends the interval of the name tables and tenant budgets; a
        // steady working set must be neither forgotten nor re-allocated by it. Only counting is measured
        // (the test sink copies rows).
        long allocated = 0;
        for (int i = 0; i < 20; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            shard.Process(batch);
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            await shard.FlushAsync(CancellationToken.None);
        }

        Assert.Equal(0, allocated);
    }

    [Fact]
    public async Task ABarrierCompletesOnlyOnceEverythingBeforeItIsWritten()
    {
        var sink = new CollectingSink();
        // A flush interval far away: only the barrier can make the shards flush during this test.
        var options = new AggregationOptions { Shards = 3, FlushInterval = TimeSpan.FromMinutes(30) };
        using var pipeline = new IngestPipeline(options, sink, sink.Pool, NullLogger.Instance);
        pipeline.Start();
        ShardedBatchWriter writer = pipeline.CreateWriter(IngestSource.File);
        for (int i = 0; i < 1_000; i++)
        {
            writer.Add(MessageKind.NginxJson, RejectReason.None, Encoding.UTF8.GetBytes("t" + (i % 7)), Encoding.UTF8.GetBytes(Line(1_795_390_920_000, 200, 10)), 1_795_400_000);
        }

        await writer.FlushAsync();
        Assert.Empty(sink.Traffic);
        await pipeline.BarrierAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1_000UL, (ulong)sink.Traffic.Sum(r => (long)r.Counters.Requests));
        Assert.Equal(3, sink.Batches);
        await pipeline.StopAsync();
    }

    [Fact]
    public async Task ShardTakesItsPoolsAndNeedsNoPipeline()
    {
        var sink = new CollectingSink();
        var ingestBatches = new Core.Internal.ObjectPool<IngestBatch>();
        var shard = new Shard(0, ingestBatches, sink.Pool, sink, new AggregationOptions(), maxTenants: 10, maxPixelKeys: 10, TenantAllowList.Everyone, NullLogger.Instance, TimeWindow.Live(new AggregationOptions()));
        IngestBatch batch = ingestBatches.Rent();
        byte[] tenant = "acme"u8.ToArray();
        batch.Add(MessageKind.NginxJson, RejectReason.None, System.IO.Hashing.XxHash3.HashToUInt64(tenant), tenant, Encoding.UTF8.GetBytes(Line(1_795_390_920_000, 200, 100)), 1_795_400_000);
        batch.Barrier = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task written = batch.Barrier.Task;

        Task run = shard.RunAsync();
        Assert.True(shard.Writer.TryWrite(batch));
        await written.WaitAsync(TimeSpan.FromSeconds(10));
        shard.Writer.Complete();
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1UL, sink.Traffic.Single().Counters.Requests);
        Assert.Equal(1, shard.LinesCounted);
        Assert.Same(batch, ingestBatches.Rent()); // handed back once counted
    }

    [Fact]
    public async Task HostTenantLinesCountUnderTheirHostAndRejectWithoutATenant()
    {
        (IngestPipeline pipeline, CollectingSink sink) = NewPipeline(maxTenants: 1);
        Shard shard = pipeline.Shards[0];
        IngestBatch batch = pipeline.IngestBatches.Rent();
        string Host(string host, long second = 1_795_390_925) =>
            $"{{\"msec\":\"{second}.000\",\"status\":\"200\",\"host\":\"{host}\"}}";
        foreach (string line in new[] { Host("a.example:8080"), Host("a.example"), "not json", Host(""), Host("bad host"), Host("b.example"), Host("a.example", second: 5_000_000_000) })
        {
            batch.Add(MessageKind.NginxJsonHostTenant, RejectReason.None, System.IO.Hashing.XxHash3.HashToUInt64([]), [], Encoding.UTF8.GetBytes(line), 1_795_400_000);
        }

        shard.Process(batch);
        await shard.FlushAsync(CancellationToken.None);

        TrafficRow row = Assert.Single(sink.Traffic);
        Assert.Equal(("a.example", 2UL), (Encoding.UTF8.GetString(row.Tenant), row.Counters.Requests));
        Assert.Equal(
            [":not_json", ":missing_tenant", ":invalid_tenant", ":too_many_tenants", "a.example:invalid_time"],
            sink.Errors.Select(e => $"{Encoding.UTF8.GetString(e.Tenant)}:{e.Reason}"));
        Assert.Equal(5, shard.Rejected);
    }
}

using System.Text;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;
using FastIngest.Core.Parsing;
using FastIngest.Server.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastIngest.Tests.Aggregation;

/// <summary>
/// <c>fastingest_tenant_requests_total</c> and <c>fastingest_tenant_cache_total</c>: only listed tenants,
/// counted by each shard, summed over the shards at a scrape, nothing allocated per line.
/// </summary>
public sealed class TenantRequestCountersTests
{
    private const long Msec = 1_795_390_925_123;

    private static readonly string[] s_corpus = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "data", "access.json.log"));

    private static (IngestPipeline Pipeline, TenantMetricsOptions Options) NewPipeline(int shards, params string[] tenants)
    {
        var sink = new CollectingSink();
        var options = new TenantMetricsOptions();
        foreach (string tenant in tenants)
        {
            options.TenantLabels.Add(tenant);
        }

        return (new IngestPipeline(new AggregationOptions { Shards = shards }, sink, sink.Pool, NullLogger.Instance, tenantMetrics: options), options);
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

    private static string Line(int status, string cache = "") =>
        new NginxLineBuilder().Msec(Msec).Set("status", status).Set("bytes_sent", 10).Set("request_method", "GET").Set("uri", "/a")
            .Set("upstream_cache_status", cache).Set("remote_addr", "198.51.100.7").ToJson();

    private static string Scrape(IngestPipeline pipeline, TenantMetricsOptions options)
    {
        using ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var exporter = new PrometheusExporter(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), [new TenantMetrics(pipeline, options)]);
        return exporter.Scrape();
    }

    [Fact]
    public void ListedTenantsAreCountedByStatusClassAndCacheStatusSummedOverTheShards()
    {
        (IngestPipeline pipeline, TenantMetricsOptions options) = NewPipeline(2, "shop", "quiet");
        // Routing aside, each shard counts whichever tenants it is given: the scrape must sum both.
        pipeline.Shards[0].Process(Batch(pipeline,
            ("shop", Line(200, "HIT")), ("shop", Line(503, "MISS")), ("blog", Line(500, "HIT")), ("shop", Line(404))));
        pipeline.Shards[1].Process(Batch(pipeline,
            ("shop", Line(502, "HIT")), ("shop", Line(201)), ("shop", Line(101, "BYPASS")), ("shop", Line(302, "STALE"))));

        string text = Scrape(pipeline, options);

        string[] samples = [.. text.Split('\n').Where(l => l.StartsWith("fastingest_tenant_", StringComparison.Ordinal))];
        // Every listed tenant has every series, zeros included; the unlisted blog has none.
        Assert.Equal(2 * (5 + 9), samples.Length);
        Assert.DoesNotContain(samples, l => l.Contains("blog", StringComparison.Ordinal));
        Assert.Contains("fastingest_tenant_requests_total{tenant=\"shop\",class=\"1xx\"} 1", samples);
        Assert.Contains("fastingest_tenant_requests_total{tenant=\"shop\",class=\"2xx\"} 2", samples);
        Assert.Contains("fastingest_tenant_requests_total{tenant=\"shop\",class=\"3xx\"} 1", samples);
        Assert.Contains("fastingest_tenant_requests_total{tenant=\"shop\",class=\"4xx\"} 1", samples);
        Assert.Contains("fastingest_tenant_requests_total{tenant=\"shop\",class=\"5xx\"} 2", samples);
        Assert.Contains("fastingest_tenant_cache_total{tenant=\"shop\",status=\"hit\"} 2", samples);
        Assert.Contains("fastingest_tenant_cache_total{tenant=\"shop\",status=\"miss\"} 1", samples);
        Assert.Contains("fastingest_tenant_cache_total{tenant=\"shop\",status=\"none\"} 2", samples);
        Assert.Contains("fastingest_tenant_cache_total{tenant=\"shop\",status=\"bypass\"} 1", samples);
        Assert.Contains("fastingest_tenant_cache_total{tenant=\"shop\",status=\"stale\"} 1", samples);
        Assert.Contains("fastingest_tenant_requests_total{tenant=\"quiet\",class=\"5xx\"} 0", samples);
        Assert.Contains("# TYPE fastingest_tenant_requests_total counter", text, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutListedTenantsThereAreNoCountersAndNoSeries()
    {
        (IngestPipeline pipeline, TenantMetricsOptions options) = NewPipeline(1);
        pipeline.Shards[0].Process(Batch(pipeline, ("shop", Line(500))));

        Assert.Null(pipeline.Shards[0].TenantCounters);
        Assert.DoesNotContain("fastingest_tenant_", Scrape(pipeline, options), StringComparison.Ordinal);
    }

    [Fact]
    public void InventedTenantsNeverBecomeLabels()
    {
        (IngestPipeline pipeline, TenantMetricsOptions options) = NewPipeline(1, "shop");
        pipeline.Shards[0].Process(Batch(pipeline, [.. Enumerable.Range(0, 200).Select(i => ("flood" + i, Line(500)))]));

        string text = Scrape(pipeline, options);
        Assert.DoesNotContain("flood", text, StringComparison.Ordinal);
        Assert.Contains("fastingest_tenant_requests_total{tenant=\"shop\",class=\"5xx\"} 0", text, StringComparison.Ordinal);
    }

    [Fact]
    public void TheListIsBoundedAndEachTenantNamedOnce()
    {
        static string[] Errors(IEnumerable<string> tenants)
        {
            var options = new TenantMetricsOptions();
            foreach (string tenant in tenants)
            {
                options.TenantLabels.Add(tenant);
            }

            var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
            System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true);
            return [.. results.Select(r => r.ErrorMessage!)];
        }

        Assert.Empty(Errors(Enumerable.Range(0, TenantMetricsOptions.MaxTenantLabels).Select(i => "t" + i)));
        Assert.Single(Errors(Enumerable.Range(0, TenantMetricsOptions.MaxTenantLabels + 1).Select(i => "t" + i)));
        Assert.Equal(["FastIngest:Metrics:TenantLabels lists a tenant twice"], Errors(["shop", "blog", "shop"]));
    }

    [Fact]
    public async Task CountingForListedTenantsAllocatesNothingPerLineOnceWarm()
    {
        (IngestPipeline pipeline, _) = NewPipeline(1, "shop_example");
        Shard shard = pipeline.Shards[0];
        IngestBatch batch = Batch(pipeline, [.. s_corpus.Select(l => ("shop_example", l)), .. s_corpus.Select(l => ("blog", l))]);
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

        long counted = Enumerable.Range(0, 5).Sum(c => shard.TenantCounters!.Requests(0, c));
        Assert.Equal(0, shard.Rejected);
        Assert.Equal(24L * s_corpus.Length, counted);
        Assert.Equal(0, allocated);
    }
}

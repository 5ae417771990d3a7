using System.IO.Hashing;
using System.Text;
using BenchmarkDotNet.Attributes;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;
using FastIngest.Core.Internal;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Syslog;
using FastIngest.Core.Sinks;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastIngest.Benchmarks;

/// <summary>
/// The in-process path of one UDP datagram: syslog header → batch for its shard → JSON parse and
/// minute-bucket update on the shard. Baseline: the shard's work alone on a ready batch.
/// </summary>
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    private readonly byte[][] _datagrams = Data.Datagrams;
    private IngestPipeline _pipeline = null!;
    private Shard _shard = null!;
    private Shard _flushed = null!;
    private Shard _rawRows = null!;
    private Shard _notListed = null!;
    private Shard _tenantMetrics = null!;
    private IngestBatch _batch = null!;

    [GlobalSetup]
    public void Setup()
    {
        var pool = new ObjectPool<FlushBatch>();
        _pipeline = new IngestPipeline(new AggregationOptions { Shards = 1 }, new DiscardingSink(pool), pool, NullLogger.Instance);
        _shard = _pipeline.Shards[0];
        // The same shard, flushed after each batch, without and with raw rows for every tenant of Data
        // (issue 16, item 4): their difference is what a requests_raw row costs a line.
        // Each its own pool: a batch carries the raw-row arenas it was swapped, so the pools are kept apart.
        var flushedPool = new ObjectPool<FlushBatch>();
        _flushed = new IngestPipeline(new AggregationOptions { Shards = 1 }, new DiscardingSink(flushedPool), flushedPool, NullLogger.Instance).Shards[0];
        var rawRows = new RawRowsOptions();
        for (int i = 0; i < 50; i++)
        {
            rawRows.Tenants.Add(Data.Tenant(i));
        }

        var rawPool = new ObjectPool<FlushBatch>();
        _rawRows = new IngestPipeline(new AggregationOptions { Shards = 1 }, new DiscardingSink(rawPool), rawPool, NullLogger.Instance, rawRows: rawRows).Shards[0];

        // Raw rows on, but for a tenant that sends nothing: what every line of the others pays.
        var notListedPool = new ObjectPool<FlushBatch>();
        _notListed = new IngestPipeline(new AggregationOptions { Shards = 1 }, new DiscardingSink(notListedPool), notListedPool, NullLogger.Instance,
            rawRows: new RawRowsOptions { Tenants = { "nobody" } }).Shards[0];

        // Per-tenant metrics for every tenant of Data (issue 18, item 3): two counter increments a line.
        var metricsPool = new ObjectPool<FlushBatch>();
        var tenantMetrics = new TenantMetricsOptions();
        foreach (string tenant in rawRows.Tenants)
        {
            tenantMetrics.TenantLabels.Add(tenant);
        }

        _tenantMetrics = new IngestPipeline(new AggregationOptions { Shards = 1 }, new DiscardingSink(metricsPool), metricsPool, NullLogger.Instance,
            tenantMetrics: tenantMetrics).Shards[0];
        _batch = new IngestBatch();
        for (int i = 0; i < Data.Lines; i++)
        {
            byte[] tenant = Encoding.UTF8.GetBytes(Data.Tenant(i));
            _batch.Add(MessageKind.NginxJson, RejectReason.None, XxHash3.HashToUInt64(tenant), tenant, Data.JsonLines[i], Data.ArrivedAt);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Data.Lines)]
    public void ShardCountsLines() => _shard.Process(_batch);

    [Benchmark(OperationsPerInvoke = Data.Lines)]
    public void ShardCountsLinesAndFlushes()
    {
        _flushed.Process(_batch);
        _flushed.FlushAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = Data.Lines)]
    public void ShardCountsLinesAndFlushesWithRawRows()
    {
        _rawRows.Process(_batch);
        _rawRows.FlushAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = Data.Lines)]
    public void ShardCountsLinesAndFlushesWithRawRowsOfAnotherTenant()
    {
        _notListed.Process(_batch);
        _notListed.FlushAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = Data.Lines)]
    public void ShardCountsLinesAndFlushesWithTenantMetrics()
    {
        _tenantMetrics.Process(_batch);
        _tenantMetrics.FlushAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = Data.Lines)]
    public int SyslogHeaderParse()
    {
        int sum = 0;
        foreach (byte[] datagram in _datagrams)
        {
            if (SyslogParser.TryParse(datagram, out SyslogHeader header, out _))
            {
                sum += header.TenantLength;
            }
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Data.Lines)]
    public void DatagramToCounted()
    {
        IngestBatch batch = _pipeline.IngestBatches.Rent();
        foreach (byte[] datagram in _datagrams)
        {
            if (SyslogParser.TryParse(datagram, out SyslogHeader header, out _))
            {
                ReadOnlySpan<byte> tenant = datagram.AsSpan(header.TenantStart, header.TenantLength);
                batch.Add(MessageKind.AccessLog, RejectReason.None, XxHash3.HashToUInt64(tenant), tenant, datagram.AsSpan(header.BodyStart, header.BodyLength), Data.ArrivedAt);
            }
        }

        _shard.Process(batch);
        _pipeline.IngestBatches.Return(batch);
    }
}

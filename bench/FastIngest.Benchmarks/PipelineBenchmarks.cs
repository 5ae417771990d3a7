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
    private IngestBatch _batch = null!;

    [GlobalSetup]
    public void Setup()
    {
        var pool = new ObjectPool<FlushBatch>();
        _pipeline = new IngestPipeline(new AggregationOptions { Shards = 1 }, new DiscardingSink(pool), pool, NullLogger.Instance);
        _shard = _pipeline.Shards[0];
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

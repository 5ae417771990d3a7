using System.IO.Hashing;
using System.Text;
using BenchmarkDotNet.Attributes;
using FastIngest.Core.Aggregation.Aggregates;
using FastIngest.Core.Internal;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Json;
using FastIngest.Core.Sinks;
using FastIngest.Core.Sinks.ClickHouse;

namespace FastIngest.Benchmarks;

/// <summary>
/// A flush batch into the RowBinary bodies the sink posts, per row, into a pooled buffer that is
/// reused (as the sink's table bodies are). Baseline: the widest table, traffic_1m (26 columns).
/// </summary>
[MemoryDiagnoser]
public class RowBinaryBenchmarks
{
    private readonly PooledBufferWriter _body = new(4 * 1024 * 1024);
    private TrafficRow[] _traffic = null!;
    private StatusRow[] _statuses = null!;
    private PathRow[] _paths = null!;
    private VisitorRow[] _visitors = null!;

    [GlobalSetup]
    public void Setup()
    {
        int n = Data.Lines;
        _traffic = new TrafficRow[n];
        _statuses = new StatusRow[n];
        _paths = new PathRow[n];
        _visitors = new VisitorRow[n];
        var record = new AccessLogRecord(4096);
        for (int i = 0; i < n; i++)
        {
            if (!NginxJsonParser.TryParse(Data.JsonLines[i], ref record, out _))
            {
                throw new InvalidDataException("line " + i);
            }

            byte[] tenant = Encoding.UTF8.GetBytes(Data.Tenant(i));
            uint minute = (uint)(record.TimestampMs / 60_000 * 60);
            TrafficCounters counters = default;
            TrafficAggregate.Add(ref counters, in record);
            PathCounters path = default;
            PathAggregate.Add(ref path, in record, minute);
            _traffic[i] = new TrafficRow(tenant, minute, counters);
            _statuses[i] = new StatusRow(tenant, minute, record.Status, 1);
            _paths[i] = new PathRow(tenant, minute / 3600 * 3600, record.Text(record.Path).ToArray(), path);
            _visitors[i] = new VisitorRow(tenant, (ushort)(minute / 86400), [], XxHash3.HashToUInt64(record.Text(record.UserAgent)));
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _body.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Data.Lines)]
    public int TrafficRows()
    {
        _body.Reset();
        var writer = new RowBinaryWriter(_body);
        foreach (ref readonly TrafficRow row in _traffic.AsSpan())
        {
            TableEncoders.Append(writer, row);
        }

        return _body.WrittenCount;
    }

    [Benchmark(OperationsPerInvoke = Data.Lines)]
    public int StatusRows()
    {
        _body.Reset();
        var writer = new RowBinaryWriter(_body);
        foreach (ref readonly StatusRow row in _statuses.AsSpan())
        {
            TableEncoders.Append(writer, row);
        }

        return _body.WrittenCount;
    }

    [Benchmark(OperationsPerInvoke = Data.Lines)]
    public int PathRows()
    {
        _body.Reset();
        var writer = new RowBinaryWriter(_body);
        foreach (ref readonly PathRow row in _paths.AsSpan())
        {
            TableEncoders.Append(writer, row);
        }

        return _body.WrittenCount;
    }

    [Benchmark(OperationsPerInvoke = Data.Lines)]
    public int VisitorRows()
    {
        _body.Reset();
        var writer = new RowBinaryWriter(_body);
        foreach (ref readonly VisitorRow row in _visitors.AsSpan())
        {
            TableEncoders.Append(writer, row);
        }

        return _body.WrittenCount;
    }
}

using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;
using FastIngest.Core.Internal;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Json;
using Microsoft.Extensions.Logging;

namespace FastIngest.Core.Aggregation;

/// <summary>
/// One worker and everything it owns: its tenants and their minute buckets. Only this shard's task
/// reads its channel and touches its state, so counting takes no locks. Buckets hold deltas: a flush
/// hands them to the sink and starts from zero, which SummingMergeTree adds up on the server.
/// </summary>
internal sealed partial class Shard
{
    private const ulong MaxTimestampMs = uint.MaxValue * 1000UL;
    private static readonly byte[] s_noTenant = [];

    private readonly Channel<IngestBatch?> _channel;
    private readonly IngestPipeline _pipeline;
    private readonly IBatchSink _sink;
    private readonly ILogger _logger;
    private readonly TenantTable _tenants;
    private readonly long _flushIntervalMs;
    private readonly int _samplesPerMinute;
    private readonly int _sampleBytes;

    private readonly Dictionary<MinuteKey, TrafficCounters> _traffic = [];
    private readonly Dictionary<StatusKey, ulong> _statuses = [];
    private readonly Dictionary<RejectKey, ulong> _rejects = [];
    private readonly List<ErrorRow> _rejectSamples = [];
    private readonly (uint Minute, int Taken)[] _samplesTaken = new (uint, int)[RejectReasons.Count];
    private AccessLogRecord _record = new(4096);
    private long _linesSinceFlush;
    private long _nextFlushAt;

    // Read by metrics from other threads; a torn read of a 64-bit counter cannot happen on x64/arm64.
    private long _linesCounted;
    private long _rejected;

    public Shard(int id, IngestPipeline pipeline, IBatchSink sink, AggregationOptions options, int maxTenants, ILogger logger)
    {
        Id = id;
        _pipeline = pipeline;
        _sink = sink;
        _logger = logger;
        _tenants = new TenantTable(maxTenants);
        _flushIntervalMs = (long)options.FlushInterval.TotalMilliseconds;
        _samplesPerMinute = options.RejectSamplesPerMinute;
        _sampleBytes = options.RejectSampleBytes;
        _channel = Channel.CreateBounded<IngestBatch?>(new BoundedChannelOptions(options.ChannelCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
            // The shard's loop must not run inline on a source's receive thread.
            AllowSynchronousContinuations = false,
        });
    }

    public int Id { get; }

    public ChannelWriter<IngestBatch?> Writer => _channel.Writer;

    /// <summary>Batches waiting in the channel.</summary>
    public int QueueDepth => _channel.Reader.Count;

    public long LinesCounted => Volatile.Read(ref _linesCounted);

    public long Rejected => Volatile.Read(ref _rejected);

    public int TenantCount => _tenants.Count;

    /// <summary>
    /// Reads batches until the channel completes, then flushes what is left. A null item is the flush
    /// timer's tick; a busy shard also checks the clock after every batch, so a full channel that drops
    /// ticks still flushes on time.
    /// </summary>
    public async Task RunAsync()
    {
        ChannelReader<IngestBatch?> reader = _channel.Reader;
        _nextFlushAt = Environment.TickCount64 + _flushIntervalMs;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out IngestBatch? batch))
            {
                if (batch is not null)
                {
                    try
                    {
                        Process(batch);
                    }
                    catch (Exception ex)
                    {
                        // A bug, not bad input (parsers don't throw): lose this batch, keep the shard alive.
                        Log.BatchFailed(_logger, ex, Id, batch.Count);
                    }

                    _pipeline.IngestBatches.Return(batch);
                }

                if (Environment.TickCount64 >= _nextFlushAt)
                {
                    await FlushAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
        }

        await FlushAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Counts every message of the batch. Synchronous and allocation-free once warm.</summary>
    public void Process(IngestBatch batch)
    {
        IngestSource source = batch.Source;
        foreach (ref readonly IngestEntry entry in batch.Entries)
        {
            ReadOnlySpan<byte> body = batch.Body(in entry);
            if (entry.Kind == MessageKind.Rejected)
            {
                Tenant? named = entry.TenantLength > 0 && _tenants.TryGet(entry.TenantHash, batch.Tenant(in entry), out Tenant t) ? t : null;
                Reject(source, named, entry.Reject, body, entry.ArrivedAt);
                continue;
            }

            if (!_tenants.TryGet(entry.TenantHash, batch.Tenant(in entry), out Tenant tenant))
            {
                Reject(source, null, RejectReason.TooManyTenants, body, entry.ArrivedAt);
                continue;
            }

            if (!NginxJsonParser.TryParse(body, ref _record, out RejectReason reason))
            {
                Reject(source, tenant, reason, body, entry.ArrivedAt);
                continue;
            }

            if ((ulong)_record.TimestampMs > MaxTimestampMs)
            {
                // DateTime columns hold 1970..2106: anything else is a broken clock, not a request.
                Reject(source, tenant, RejectReason.InvalidTime, body, entry.ArrivedAt);
                continue;
            }

            Count(tenant, in _record);
        }
    }

    private void Count(Tenant tenant, in AccessLogRecord record)
    {
        long minute = record.TimestampMs / 60_000 * 60;
        ref TrafficCounters counters = ref CollectionsMarshal.GetValueRefOrAddDefault(_traffic, new MinuteKey(tenant.Id, (uint)minute), out _);
        counters.Add(in record);
        ref ulong statusCount = ref CollectionsMarshal.GetValueRefOrAddDefault(_statuses, new StatusKey(tenant.Id, (uint)minute, record.Status), out _);
        statusCount++;
        _linesSinceFlush++;
    }

    private void Reject(IngestSource source, Tenant? tenant, RejectReason reason, ReadOnlySpan<byte> input, uint arrivedAt)
    {
        Volatile.Write(ref _rejected, _rejected + 1);
        uint minute = arrivedAt / 60 * 60;
        ref (uint Minute, int Taken) taken = ref _samplesTaken[(int)reason];
        if (taken.Minute != minute)
        {
            taken = (minute, 0);
        }

        if (taken.Taken < _samplesPerMinute)
        {
            taken.Taken++;
            _rejectSamples.Add(new ErrorRow(arrivedAt, source, tenant?.NameUtf8 ?? s_noTenant, reason, 1, Sample(input)));
            Log.Rejected(_logger, RejectReasons.Name(reason), source, tenant?.Name ?? "");
            return;
        }

        ref ulong count = ref CollectionsMarshal.GetValueRefOrAddDefault(_rejects, new RejectKey(tenant?.Id ?? -1, reason, source), out _);
        count++;
    }

    private string Sample(ReadOnlySpan<byte> input)
    {
        // Cold: a few per minute. Invalid UTF-8 becomes U+FFFD so the sample stays readable in SQL;
        // that can triple binary input, so the bound is applied to what is stored, not to what came in.
        ReadOnlySpan<byte> kept = input.Length > _sampleBytes ? input[.._sampleBytes] : input;
        string sample = Encoding.UTF8.GetString(kept);
        int length = sample.Length;
        while (Encoding.UTF8.GetByteCount(sample.AsSpan(0, length)) > _sampleBytes)
        {
            length -= Math.Max(1, length / 8);
            if (length > 0 && char.IsHighSurrogate(sample[length - 1]))
            {
                length--;
            }
        }

        return length == sample.Length ? sample : sample[..length];
    }

    /// <summary>Hands every changed bucket to the sink as one batch and starts the next interval empty.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        _nextFlushAt = Environment.TickCount64 + _flushIntervalMs;
        if (_traffic.Count == 0 && _statuses.Count == 0 && _rejects.Count == 0 && _rejectSamples.Count == 0)
        {
            return;
        }

        FlushBatch batch = _pipeline.FlushBatches.Rent();
        foreach (KeyValuePair<MinuteKey, TrafficCounters> pair in _traffic)
        {
            batch.Traffic.Add(new TrafficRow(_tenants[pair.Key.TenantId].NameUtf8, pair.Key.Minute, pair.Value));
        }

        foreach (KeyValuePair<StatusKey, ulong> pair in _statuses)
        {
            batch.Statuses.Add(new StatusRow(_tenants[pair.Key.TenantId].NameUtf8, pair.Key.Minute, pair.Key.Status, pair.Value));
        }

        batch.Errors.AddRange(_rejectSamples);
        uint now = (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        foreach (KeyValuePair<RejectKey, ulong> pair in _rejects)
        {
            byte[] tenant = pair.Key.TenantId >= 0 ? _tenants[pair.Key.TenantId].NameUtf8 : s_noTenant;
            batch.Errors.Add(new ErrorRow(now, pair.Key.Source, tenant, pair.Key.Reason, pair.Value, ""));
        }

        batch.Lines = _linesSinceFlush;
        Volatile.Write(ref _linesCounted, _linesCounted + _linesSinceFlush);
        _linesSinceFlush = 0;
        _traffic.Clear();
        _statuses.Clear();
        _rejects.Clear();
        _rejectSamples.Clear();
        await _sink.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    private static partial class Log
    {
        // Aggregation owns EventIds 400-499; next free: 403.
        [LoggerMessage(400, LogLevel.Error, "Shard {Shard} failed on a batch of {Count} messages; the batch is lost")]
        public static partial void BatchFailed(ILogger logger, Exception exception, int shard, int count);

        [LoggerMessage(401, LogLevel.Debug, "Rejected input ({Reason}) from {Source} for tenant '{Tenant}'")]
        public static partial void Rejected(ILogger logger, string reason, IngestSource source, string tenant);
    }
}

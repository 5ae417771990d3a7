using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;
using FastIngest.Core.Ingest;
using FastIngest.Core.Internal;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Combined;
using FastIngest.Core.Parsing.Json;
using FastIngest.Core.Sinks;
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
    private const int WholeTraffic = -1;
    private const long MsPerDay = 86_400_000;
    private static readonly byte[] s_noTenant = [];
    private static readonly byte[] s_noKey = [];

    private readonly Channel<IngestBatch?> _channel;
    private readonly IngestPipeline _pipeline;
    private readonly IBatchSink _sink;
    private readonly ILogger _logger;
    private readonly NameTable _tenants;
    private readonly NameTable _keys;
    private readonly InternedName _otherKey;
    private readonly NameTable _eventTypes;
    private readonly NameTable _paths;
    private readonly InternedName _otherEventType;
    private readonly InternedName _otherPath;
    private readonly TenantAllowList _pixelTenants;
    private readonly VisitorHasher _visitorHasher;
    private readonly long _flushIntervalMs;
    private readonly int _maxPathsPerTenant;
    private readonly int _samplesPerMinute;
    private readonly int _sampleBytes;

    private readonly Dictionary<MinuteKey, TrafficCounters> _traffic = [];
    private readonly Dictionary<StatusKey, ulong> _statuses = [];
    private readonly Dictionary<RejectKey, ulong> _rejects = [];
    private readonly List<ErrorRow> _rejectSamples = [];
    private readonly Dictionary<PixelKey, ulong> _pixels = [];
    private readonly HashSet<VisitorKey> _visitors = [];
    private readonly Dictionary<EventKey, ulong> _events = [];
    private readonly HashSet<UserKey> _users = [];
    private readonly Dictionary<PathKey, PathCounters> _pathHits = [];
    // The MaxPathsPerTenant budget: the distinct paths each tenant named this interval (access-log paths
    // and event paths alike), and how many that is per tenant id. The array grows when a new tenant id
    // appears (which allocates its name anyway); both are cleared at every flush.
    private readonly HashSet<TenantPathKey> _tenantPaths = [];
    private int[] _pathsByTenant = new int[16];
    // Read by metrics: one slot per (source, reason), written only by this shard.
    private readonly long[] _rejectsBySourceAndReason = new long[IngestSources.Count * RejectReasons.Count];
    private readonly (uint Minute, int Taken)[] _samplesTaken = new (uint, int)[RejectReasons.Count];
    private AccessLogRecord _record = new(4096);
    private long _linesSinceFlush;
    private long _pixelHitsSinceFlush;
    private long _eventsSinceFlush;
    private long _nextFlushAt;

    // Read by metrics from other threads; a torn read of a 64-bit counter cannot happen on x64/arm64.
    private long _linesCounted;
    private long _rejected;
    private long _pixelHits;
    private long _pixelKeysFolded;
    private long _pathsFolded;
    private long _eventTypesFolded;
    private long _eventsCounted;
    private long _eventsFolded;

    public Shard(int id, IngestPipeline pipeline, IBatchSink sink, AggregationOptions options, int maxTenants, int maxPixelKeys, TenantAllowList pixelTenants, ILogger logger)
    {
        Id = id;
        _pipeline = pipeline;
        _sink = sink;
        _logger = logger;
        _tenants = new NameTable(maxTenants);
        // "(other)" can't be a real key (parentheses are outside the key alphabet), so folding is visible.
        _keys = new NameTable(maxPixelKeys, "(other)"u8);
        _otherKey = _keys.Other!;
        _eventTypes = new NameTable(options.MaxEventTypes, "(other)"u8);
        _otherEventType = _eventTypes.Other!;
        _paths = new NameTable(options.MaxPaths, "(other)"u8);
        _otherPath = _paths.Other!;
        _maxPathsPerTenant = options.MaxPathsPerTenant;
        _pixelTenants = pixelTenants;
        _visitorHasher = new VisitorHasher(Encoding.UTF8.GetBytes(options.VisitorSecret));
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

    public long PixelHits => Volatile.Read(ref _pixelHits);

    /// <summary>Rejects so far of one source for one reason.</summary>
    public long RejectsOf(IngestSource source, RejectReason reason) =>
        Volatile.Read(ref _rejectsBySourceAndReason[((int)source * RejectReasons.Count) + (int)reason]);

    /// <summary>Pixel hits counted under <c>(other)</c> because the shard already knew as many keys as allowed.</summary>
    public long PixelKeysFolded => Volatile.Read(ref _pixelKeysFolded);

    /// <summary>
    /// Access-log lines and events counted under the path <c>(other)</c>: past <see cref="AggregationOptions.MaxPaths"/>
    /// of the shard or past <see cref="AggregationOptions.MaxPathsPerTenant"/> of their tenant's interval.
    /// </summary>
    public long PathsFolded => Volatile.Read(ref _pathsFolded);

    /// <summary>Events counted under the event type <c>(other)</c> past <see cref="AggregationOptions.MaxEventTypes"/>.</summary>
    public long EventTypesFolded => Volatile.Read(ref _eventTypesFolded);

    public long EventsCounted => Volatile.Read(ref _eventsCounted);

    /// <summary>Events counted under an <c>(other)</c> type or path (or both); each event once.</summary>
    public long EventsFolded => Volatile.Read(ref _eventsFolded);

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

                    TaskCompletionSource? barrier = batch.Barrier;
                    _pipeline.IngestBatches.Return(batch);
                    if (barrier is not null)
                    {
                        await FlushAsync(CancellationToken.None, barrier).ConfigureAwait(false);
                    }
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
                InternedName? named = entry.TenantLength > 0 && _tenants.TryGet(entry.TenantHash, batch.Tenant(in entry), out InternedName t) ? t : null;
                Reject(source, named, entry.Reject, body, entry.ArrivedAt);
                continue;
            }

            if (entry.Kind == MessageKind.NginxJsonHostTenant)
            {
                CountByHost(source, body, entry.ArrivedAt);
                continue;
            }

            if (!_tenants.TryGet(entry.TenantHash, batch.Tenant(in entry), out InternedName tenant))
            {
                Reject(source, null, RejectReason.TooManyTenants, body, entry.ArrivedAt);
                continue;
            }

            if (entry.Kind == MessageKind.Event)
            {
                if (EventMessage.TryDecode(body, out EventMessage decoded) && (ulong)decoded.TimestampMs <= MaxTimestampMs)
                {
                    CountEvent(tenant, in decoded);
                }
                else
                {
                    Reject(source, tenant, RejectReason.InvalidTime, body, entry.ArrivedAt);
                }

                continue;
            }

            if (entry.Kind == MessageKind.PixelHit)
            {
                if (PixelHit.TryDecode(body, out PixelHit hit) && (ulong)hit.TimestampMs <= MaxTimestampMs)
                {
                    CountPixel(tenant, hit.Key, hit.TimestampMs, hit.CountVisitor, hit.Address, hit.UserAgent);
                }
                else
                {
                    Reject(source, tenant, RejectReason.InvalidTime, body, entry.ArrivedAt);
                }

                continue;
            }

            bool parsed = entry.Kind == MessageKind.CombinedLog
                ? CombinedLogParser.TryParse(body, ref _record, out RejectReason reason)
                : NginxJsonParser.TryParse(body, ref _record, out reason);
            if (!parsed)
            {
                Reject(source, tenant, reason, body, entry.ArrivedAt);
                continue;
            }

            CountParsed(source, tenant, body, entry.ArrivedAt);
        }
    }

    private void CountParsed(IngestSource source, InternedName tenant, ReadOnlySpan<byte> body, uint arrivedAt)
    {
        if ((ulong)_record.TimestampMs > MaxTimestampMs)
        {
            // DateTime columns hold 1970..2106: anything else is a broken clock, not a request.
            Reject(source, tenant, RejectReason.InvalidTime, body, arrivedAt);
            return;
        }

        Count(tenant, in _record);
    }

    private void CountByHost(IngestSource source, ReadOnlySpan<byte> body, uint arrivedAt)
    {
        if (!NginxJsonParser.TryParse(body, ref _record, out RejectReason reason))
        {
            Reject(source, null, reason, body, arrivedAt);
            return;
        }

        ReadOnlySpan<byte> host = _record.Text(_record.Host);
        int port = host.LastIndexOf((byte)':');
        host = port > 0 && host.IndexOf((byte)']') < port ? host[..port] : host;
        if (!NameRules.IsValid(host))
        {
            Reject(source, null, host.IsEmpty ? RejectReason.MissingTenant : RejectReason.InvalidTenant, body, arrivedAt);
            return;
        }

        if (!_tenants.TryGet(host, out InternedName tenant))
        {
            Reject(source, null, RejectReason.TooManyTenants, body, arrivedAt);
            return;
        }

        CountParsed(source, tenant, body, arrivedAt);
    }

    private void CountEvent(InternedName tenant, in EventMessage message)
    {
        bool folded = false;
        if (!_eventTypes.TryGet(message.EventType, out InternedName type))
        {
            type = _otherEventType;
            folded = true;
            Volatile.Write(ref _eventTypesFolded, _eventTypesFolded + 1);
        }

        uint minute = (uint)(message.TimestampMs / 60_000 * 60);
        ref int named = ref PathsNamedBy(tenant.Id);
        ref ulong count = ref Unsafe.NullRef<ulong>();
        if (TryGetPath(message.Path, named, out InternedName path))
        {
            var key = new EventKey(tenant.Id, minute, type.Id, path.Id);
            count = ref CollectionsMarshal.GetValueRefOrNullRef(_events, key);
            if (Unsafe.IsNullRef(ref count) && TryAdmitPath(tenant.Id, path.Id, ref named))
            {
                count = ref CollectionsMarshal.GetValueRefOrAddDefault(_events, key, out _);
            }
        }

        if (Unsafe.IsNullRef(ref count))
        {
            folded = true;
            Volatile.Write(ref _pathsFolded, _pathsFolded + 1);
            count = ref CollectionsMarshal.GetValueRefOrAddDefault(_events, new EventKey(tenant.Id, minute, type.Id, _otherPath.Id), out _);
        }

        if (folded)
        {
            Volatile.Write(ref _eventsFolded, _eventsFolded + 1);
        }

        count++;
        _eventsSinceFlush++;
        if (!message.UserId.IsEmpty)
        {
            // Not salted: unique users are counted across days (all-time), which a daily salt would break.
            ulong user = XxHash3.HashToUInt64(message.UserId, (long)tenant.Hash);
            _users.Add(new UserKey(tenant.Id, (ushort)(message.TimestampMs / MsPerDay), user));
        }
    }

    private void CountPixel(InternedName tenant, ReadOnlySpan<byte> key, long timestampMs, bool countVisitor, ReadOnlySpan<byte> address, ReadOnlySpan<byte> userAgent)
    {
        if (!_keys.TryGet(key, out InternedName interned))
        {
            interned = _otherKey;
            Volatile.Write(ref _pixelKeysFolded, _pixelKeysFolded + 1);
        }

        uint minute = (uint)(timestampMs / 60_000 * 60);
        ref ulong hits = ref CollectionsMarshal.GetValueRefOrAddDefault(_pixels, new PixelKey(tenant.Id, interned.Id, minute), out _);
        hits++;
        _pixelHitsSinceFlush++;
        if (countVisitor)
        {
            CountVisitor(tenant, interned.Id, timestampMs, address, userAgent);
        }
    }

    private void CountVisitor(InternedName tenant, int keyId, long timestampMs, ReadOnlySpan<byte> address, ReadOnlySpan<byte> userAgent)
    {
        uint day = (uint)(timestampMs / MsPerDay);
        if (_visitorHasher.TryHash(day, tenant.NameUtf8, address, userAgent, out ulong visitor))
        {
            // A set per flush interval: a busy visitor costs one row per interval, not one per hit.
            _visitors.Add(new VisitorKey(tenant.Id, keyId, (ushort)day, visitor));
        }
    }

    /// <summary>
    /// NGINX-served pixels (<c>location ~ ^/p/ { empty_gif; }</c>) count as pixel hits of the tenant their
    /// URL names, as if FastIngest had served them, besides counting as the NGINX tenant's traffic.
    /// </summary>
    private void CountNginxPixel(in AccessLogRecord record)
    {
        ReadOnlySpan<byte> path = record.Text(record.Path);
        if (record.Status >= 400 || !PixelPath.TryParse(path, out Range tenantRange, out Range keyRange, out _))
        {
            return;
        }

        ReadOnlySpan<byte> tenantName = path[tenantRange];
        if (_pixelTenants.Allows(tenantName) && _tenants.TryGet(tenantName, out InternedName tenant))
        {
            CountPixel(tenant, path[keyRange], record.TimestampMs, !record.DoNotTrack, record.Text(record.RemoteAddr), record.Text(record.UserAgent));
        }
    }

    private void Count(InternedName tenant, in AccessLogRecord record)
    {
        long minute = record.TimestampMs / 60_000 * 60;
        ref TrafficCounters counters = ref CollectionsMarshal.GetValueRefOrAddDefault(_traffic, new MinuteKey(tenant.Id, (uint)minute), out _);
        counters.Add(in record);
        ref ulong statusCount = ref CollectionsMarshal.GetValueRefOrAddDefault(_statuses, new StatusKey(tenant.Id, (uint)minute, record.Status), out _);
        statusCount++;
        _linesSinceFlush++;
        if (!record.DoNotTrack)
        {
            CountVisitor(tenant, WholeTraffic, record.TimestampMs, record.Text(record.RemoteAddr), record.Text(record.UserAgent));
        }

        if (!record.Path.IsEmpty)
        {
            CountPath(tenant, in record);
        }

        if (record.Path.Length > 3)
        {
            CountNginxPixel(in record);
        }
    }

    /// <summary>
    /// Per file (path) and hour: what "top files by downloads and by bytes" reads. A tenant's first
    /// <see cref="AggregationOptions.MaxPathsPerTenant"/> distinct paths of the interval keep their name,
    /// the rest count under <c>(other)</c>, which keeps sums exact: "first N distinct paths of the
    /// interval", not a top N by hits, which would need per-path counts kept past the cap.
    /// </summary>
    private void CountPath(InternedName tenant, in AccessLogRecord record)
    {
        uint second = (uint)(record.TimestampMs / 1000);
        uint hour = second / 3600 * 3600;
        ref int named = ref PathsNamedBy(tenant.Id);
        ref PathCounters counters = ref Unsafe.NullRef<PathCounters>();
        if (TryGetPath(record.Text(record.Path), named, out InternedName path))
        {
            var key = new PathKey(tenant.Id, hour, path.Id);
            counters = ref CollectionsMarshal.GetValueRefOrNullRef(_pathHits, key);
            if (Unsafe.IsNullRef(ref counters) && TryAdmitPath(tenant.Id, path.Id, ref named))
            {
                counters = ref CollectionsMarshal.GetValueRefOrAddDefault(_pathHits, key, out _);
            }
        }

        if (Unsafe.IsNullRef(ref counters))
        {
            Volatile.Write(ref _pathsFolded, _pathsFolded + 1);
            counters = ref CollectionsMarshal.GetValueRefOrAddDefault(_pathHits, new PathKey(tenant.Id, hour, _otherPath.Id), out _);
        }

        counters.Add(in record, second);
    }

    /// <summary>
    /// A tenant with budget left may add the path to the shard's table; one without may only use a path
    /// the table already knows (and only if it named that path this interval, which
    /// <see cref="TryAdmitPath"/> checks), so a tenant past its budget can't fill the table every tenant shares.
    /// </summary>
    private bool TryGetPath(ReadOnlySpan<byte> name, int pathsNamed, out InternedName path) =>
        pathsNamed < _maxPathsPerTenant ? _paths.TryGet(name, out path) : _paths.TryFind(name, out path);

    /// <summary>
    /// Called only for a row the interval doesn't have yet (the usual line finds its row and skips this).
    /// True when the tenant already named this path this interval (another hour, minute or event type)
    /// or has budget left to name it now; false means: count it under <c>(other)</c>.
    /// </summary>
    private bool TryAdmitPath(int tenantId, int pathId, ref int pathsNamed)
    {
        var key = new TenantPathKey(tenantId, pathId);
        if (pathsNamed < _maxPathsPerTenant)
        {
            if (_tenantPaths.Add(key))
            {
                pathsNamed++;
            }

            return true;
        }

        return _tenantPaths.Contains(key);
    }

    private ref int PathsNamedBy(int tenantId)
    {
        if ((uint)tenantId >= (uint)_pathsByTenant.Length)
        {
            // Only when the shard meets a new tenant id, which allocates its name anyway.
            Array.Resize(ref _pathsByTenant, Math.Max(tenantId + 1, _pathsByTenant.Length * 2));
        }

        return ref _pathsByTenant[tenantId];
    }

    private void Reject(IngestSource source, InternedName? tenant, RejectReason reason, ReadOnlySpan<byte> input, uint arrivedAt)
    {
        Volatile.Write(ref _rejected, _rejected + 1);
        ref long bySourceAndReason = ref _rejectsBySourceAndReason[((int)source * RejectReasons.Count) + (int)reason];
        Volatile.Write(ref bySourceAndReason, bySourceAndReason + 1);
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
    /// <param name="barrier">Travels with the batch (sent even when empty) and is completed once it is written.</param>
    public async ValueTask FlushAsync(CancellationToken cancellationToken, TaskCompletionSource? barrier = null)
    {
        _nextFlushAt = Environment.TickCount64 + _flushIntervalMs;
        if (barrier is null && _traffic.Count == 0 && _statuses.Count == 0 && _rejects.Count == 0 && _rejectSamples.Count == 0 && _pixels.Count == 0 && _visitors.Count == 0 && _events.Count == 0 && _users.Count == 0 && _pathHits.Count == 0)
        {
            return;
        }

        FlushBatch batch = _pipeline.FlushBatches.Rent();
        if (barrier is not null)
        {
            batch.Barriers.Add(barrier);
        }

        foreach (KeyValuePair<MinuteKey, TrafficCounters> pair in _traffic)
        {
            batch.Traffic.Add(new TrafficRow(_tenants[pair.Key.TenantId].NameUtf8, pair.Key.Minute, pair.Value));
        }

        foreach (KeyValuePair<StatusKey, ulong> pair in _statuses)
        {
            batch.Statuses.Add(new StatusRow(_tenants[pair.Key.TenantId].NameUtf8, pair.Key.Minute, pair.Key.Status, pair.Value));
        }

        foreach (KeyValuePair<PixelKey, ulong> pair in _pixels)
        {
            batch.Pixels.Add(new PixelRow(_tenants[pair.Key.TenantId].NameUtf8, _keys[pair.Key.KeyId].NameUtf8, pair.Key.Minute, pair.Value));
        }

        foreach (VisitorKey visitor in _visitors)
        {
            byte[] key = visitor.KeyId == WholeTraffic ? s_noKey : _keys[visitor.KeyId].NameUtf8;
            batch.Visitors.Add(new VisitorRow(_tenants[visitor.TenantId].NameUtf8, visitor.Day, key, visitor.Hash));
        }

        foreach (KeyValuePair<EventKey, ulong> pair in _events)
        {
            EventKey key = pair.Key;
            batch.Events.Add(new EventRow(_tenants[key.TenantId].NameUtf8, key.Minute, _eventTypes[key.TypeId].NameUtf8, _paths[key.PathId].NameUtf8, pair.Value));
        }

        foreach (KeyValuePair<PathKey, PathCounters> pair in _pathHits)
        {
            batch.Paths.Add(new PathRow(_tenants[pair.Key.TenantId].NameUtf8, pair.Key.Hour, _paths[pair.Key.PathId].NameUtf8, pair.Value));
        }

        foreach (UserKey user in _users)
        {
            batch.Users.Add(new UserRow(_tenants[user.TenantId].NameUtf8, user.Day, user.Hash));
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
        batch.PixelHits = _pixelHitsSinceFlush;
        Volatile.Write(ref _pixelHits, _pixelHits + _pixelHitsSinceFlush);
        _pixelHitsSinceFlush = 0;
        _pixels.Clear();
        _visitors.Clear();
        batch.EventCount = _eventsSinceFlush;
        Volatile.Write(ref _eventsCounted, _eventsCounted + _eventsSinceFlush);
        _eventsSinceFlush = 0;
        _events.Clear();
        _users.Clear();
        _pathHits.Clear();
        _traffic.Clear();
        _statuses.Clear();
        _rejects.Clear();
        _rejectSamples.Clear();
        // No bucket refers to a name id now (rows carry the names' bytes), so the tables may forget.
        _paths.Recycle();
        _keys.Recycle();
        _eventTypes.Recycle();
        _tenantPaths.Clear();
        Array.Clear(_pathsByTenant);
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

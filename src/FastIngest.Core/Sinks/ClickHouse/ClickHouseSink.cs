using System.Diagnostics.Metrics;
using ClickHouse.Driver;
using FastIngest.Core.ClickHouse;
using FastIngest.Core.Internal;
using FastIngest.Core.Sinks.Spool;
using Microsoft.Extensions.Logging;

namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// Writes flushed shard batches to ClickHouse as RowBinary over HTTP, exactly once, without ever making
/// the shards wait on ClickHouse.
/// </summary>
/// <remarks>
/// <para>A facade over two loops, each its own type with its own buffers: the <see cref="InsertWriter"/>
/// inserts each round of queued batches, or spools it to the <see cref="DiskSpool"/> when ClickHouse
/// can't take it; the <see cref="SpoolReplayer"/> applies the schema and replays the spool oldest first,
/// asking the <see cref="InsertLedger"/> what ClickHouse already has. Both insert through one
/// <see cref="RowBinaryInserter"/> and count in one <see cref="SinkCounters"/>.</para>
/// </remarks>
internal sealed class ClickHouseSink : IBatchSink, IAsyncDisposable
{
    private readonly DiskSpool _spool;
    private readonly ILogger _logger;
    private readonly ClickHouseClient _client;
    private readonly ReplicaFailover? _failover;
    private readonly CancellationTokenSource _abort = new();
    private readonly SinkCounters _counters = new();
    private readonly SpoolReplayer _replayer;
    private readonly InsertWriter _writer;
    private Task _writeLoop = Task.CompletedTask;
    private Task _replayLoop = Task.CompletedTask;
    private int _disposed;

    public ClickHouseSink(ClickHouseOptions options, DiskSpool spool, ObjectPool<FlushBatch> batchPool, ILogger logger)
        : this(options, spool, batchPool, logger, replicas: null)
    {
    }

    /// <summary>
    /// One shard of a cluster (issue 19) when <paramref name="replicas"/> is given: <paramref name="options"/>
    /// name the shard's local database (<see cref="ClickHouseOptions.ForShard"/>), requests move to the next
    /// replica on a connection failure, inserts carry <c>insert_deduplication_token</c> where the server has
    /// it, and the schema goes to every replica (<see cref="ShardSchema"/>).
    /// </summary>
    public ClickHouseSink(ClickHouseOptions options, DiskSpool spool, ObjectPool<FlushBatch> batchPool, ILogger logger, IReadOnlyList<Uri>? replicas)
    {
        _spool = spool;
        _logger = logger;
        _client = ClickHouseClients.CreateClient(options, replicas, out _failover);
        var inserter = new RowBinaryInserter(_client, options.Database, _counters, deduplicationTokens: replicas is not null);
        var ledger = new InsertLedger(_client, options.Database);
        Quarantine = new RoundQuarantine(spool.Directory, spool.MaxBytes);
        Func<CancellationToken, Task> applySchema = replicas is null
            ? cancellationToken => SchemaMigrator.ApplyAsync(_client, options.Database, cancellationToken)
            : cancellationToken => ShardSchema.ApplyAsync(options, replicas, logger, cancellationToken);
        _replayer = new SpoolReplayer(options, applySchema, spool, inserter, ledger, Quarantine, _counters, logger, _abort.Token);
        _writer = new InsertWriter(options.MaxQueuedBatches, options.MaxPartitionsPerInsert, spool, inserter, _replayer, _counters, batchPool, logger, _abort.Token);
    }

    /// <summary>A shard of several replicas, whose requests move between them.</summary>
    public bool HasReplicas => _failover is not null;

    /// <summary>The replica of the shard its requests go to now (index in its replicas, from 0); 0 for one server.</summary>
    public int CurrentReplica => _failover?.CurrentIndex ?? 0;

    /// <summary>Times requests moved to the shard's next replica after a connection failure.</summary>
    public long ReplicaFailovers => _failover?.Failovers ?? 0;

    /// <summary>Lines whose counters ClickHouse has confirmed.</summary>
    public long LinesWritten => _counters.LinesWritten;

    /// <summary>Pixel hits whose counters ClickHouse has confirmed.</summary>
    public long PixelHitsWritten => _counters.PixelHitsWritten;

    /// <summary>Events whose counters ClickHouse has confirmed.</summary>
    public long EventsWritten => _counters.EventsWritten;

    /// <summary>Rows ClickHouse has confirmed, all tables.</summary>
    public long RowsWritten => _counters.RowsWritten;

    /// <summary>Failed attempts: a direct insert that sent its round to the spool, or a failed replay or schema step.</summary>
    public long InsertsFailed => _counters.InsertsFailed;

    /// <summary>Batches waiting for the write loop.</summary>
    public int QueuedBatches => _writer.QueuedBatches;

    public DiskSpool Spool => _spool;

    /// <summary>Rounds ClickHouse refused for good, set aside in the spool folder's <c>quarantine/</c>.</summary>
    public RoundQuarantine Quarantine { get; }

    /// <summary>Rounds this process moved to the quarantine folder.</summary>
    public long RoundsQuarantined => _counters.RoundsQuarantined;

    /// <summary>The last round this process quarantined: time, table, code, message; null if none.</summary>
    public string? LastQuarantined => _counters.LastQuarantined;

    /// <summary>While the quarantine folder's disk refuses a poison round: the error; null otherwise.</summary>
    public string? QuarantineFault => _counters.QuarantineFault;

    /// <summary>Rounds written to the spool because ClickHouse could not take them then.</summary>
    public long RoundsSpooled => _counters.RoundsSpooled;

    /// <summary>Spooled rounds ClickHouse has since confirmed.</summary>
    public long RoundsReplayed => _counters.RoundsReplayed;

    /// <summary>Inserts found in <c>insert_ledger</c> before a retry, so not sent again.</summary>
    public long DuplicatesAvoided => _counters.DuplicatesAvoided;

    /// <summary>Inserts ClickHouse applied in part (ledger rows short of the insert's); not retried, logged.</summary>
    public long PartialInserts => _counters.PartialInserts;

    /// <summary>Rounds lost because ClickHouse could not take them and the spool was full or its disk refused the write.</summary>
    public long RoundsDropped => _counters.RoundsDropped;

    /// <summary>Lines, pixel hits and events lost to a full spool or a disk fault, per tenant.</summary>
    public IReadOnlyDictionary<string, long> DroppedByTenant => _counters.DroppedByTenant;

    /// <summary>
    /// True from a round dropped for want of spool room until the replay has brought the spool below 90 % of
    /// its cap: one steady signal for an operator, not a flicker each time a small round still fits.
    /// </summary>
    public bool SpoolFull => _counters.SpoolFull;

    /// <summary>
    /// While the disk refuses spool writes (ENOSPC, EIO, ...) and rounds are dropped for it: the error, as
    /// the file system gave it. Null again once a round is kept (spooled or in ClickHouse).
    /// </summary>
    public string? SpoolDiskFault => _counters.SpoolDiskFault;

    /// <summary>Spool writes the file system refused, each a round dropped.</summary>
    public long SpoolDiskFaults => _counters.SpoolDiskFaults;

    /// <summary>Rounds are being dropped now: the spool is full, or the disk refuses its writes.</summary>
    public bool Dropping => _counters.SpoolFull || _counters.SpoolDiskFault is not null;

    /// <summary>Where each confirmed round's latency is recorded (direct or replayed), once metrics are published.</summary>
    public Histogram<double>? FlushLatencyHistogram
    {
        get => _counters.FlushLatencyHistogram;
        set => _counters.FlushLatencyHistogram = value;
    }

    /// <summary>Time since ClickHouse last accepted an insert or the schema (or since start).</summary>
    public TimeSpan SinceLastSuccess => _counters.SinceLastSuccess;

    /// <summary>
    /// Applies the schema once (so a healthy ClickHouse has its tables before the server takes traffic or
    /// answers reads), then starts the loops. If ClickHouse can't be reached now, the replay loop keeps
    /// trying and writes are spooled meanwhile: a start never fails for want of ClickHouse.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _replayer.ApplySchemaAtStartAsync(cancellationToken).ConfigureAwait(false);
        // The loops outlive the start's token; StopAsync ends them.
        _writeLoop = Task.Run(_writer.RunAsync, CancellationToken.None);
        _replayLoop = Task.Run(_replayer.RunAsync, CancellationToken.None);
    }

    public ValueTask WriteAsync(FlushBatch batch, CancellationToken cancellationToken) => _writer.WriteAsync(batch, cancellationToken);

    /// <summary>
    /// Writes what is queued (to ClickHouse, or to the spool if it can't take it), then replays the spool
    /// for as long as ClickHouse keeps answering. If <paramref name="cancellationToken"/> fires first, an
    /// insert in flight is abandoned and its round spooled; what stays in the spool is replayed at the next start.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _writer.Complete();
        using (cancellationToken.Register(static state => ((CancellationTokenSource)state!).Cancel(), _abort))
        {
            await _writeLoop.ConfigureAwait(false);
            _replayer.StopWhenDrained();
            await _replayLoop.ConfigureAwait(false);
        }

        if (!_spool.IsEmpty)
        {
            SinkLog.StoppedWithSpool(_logger, _spool.Records, _spool.Bytes, _spool.Directory);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Once: the host disposes it, and so does the sharded sink that holds it (the rounds' buffers are pooled).
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopAsync(new CancellationToken(canceled: true)).ConfigureAwait(false);
        _client.Dispose();
        _writer.Dispose();
        _replayer.Dispose();
        _abort.Dispose();
    }
}

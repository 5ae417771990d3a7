using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using FastIngest.Core.ClickHouse;
using FastIngest.Core.Internal;
using FastIngest.Core.Sinks;
using FastIngest.Core.Sinks.Spool;
using Microsoft.Extensions.Logging;

namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// Writes flushed shard batches to ClickHouse as RowBinary over HTTP, exactly once, without ever making
/// the shards wait on ClickHouse.
/// </summary>
/// <remarks>
/// <para>The write loop takes every batch that is waiting and encodes them into one
/// <see cref="InsertRound"/> (one insert per table however many shards flushed). While ClickHouse is
/// healthy and the spool empty it inserts the round once; if that fails, or while the spool is not
/// empty (to keep the order), the round goes to the <see cref="DiskSpool"/> instead. Either way its
/// batches' barriers complete: the round is in ClickHouse or on disk.</para>
/// <para>The replay loop applies the schema, then sends spooled rounds oldest first and removes each
/// only once ClickHouse confirmed it. A spooled round may already be in ClickHouse (the first attempt
/// timed out after ClickHouse took it; a crash came between insert and acknowledgement), so before
/// sending it the loop looks its insert ids up in <c>insert_ledger</c>, which each insert fills in the
/// same statement (see <c>clickhouse/schema.sql</c>), after checking that none of them still runs
/// (<c>system.processes</c>; a re-sent insert also reuses its <c>query_id</c>, which ClickHouse refuses
/// while the first one runs).</para>
/// </remarks>
internal sealed partial class ClickHouseSink : IBatchSink, IAsyncDisposable
{
    // A round is one block for ClickHouse, so its write door's views see all of it or none of it.
    private static readonly Dictionary<string, object> s_insertSettings = new() { ["max_insert_block_size"] = 1_000_000_000 };

    private readonly ClickHouseOptions _options;
    private readonly DiskSpool _spool;
    private readonly ObjectPool<FlushBatch> _batchPool;
    private readonly ILogger _logger;
    private readonly ClickHouseClient _client;
    private readonly Channel<FlushBatch> _queue;
    private readonly CancellationTokenSource _abort = new();
    private readonly SemaphoreSlim _spooled = new(0);
    private readonly string[] _insertSql;
    private readonly InsertRound _writeRound = new();
    private readonly InsertRound _replayRound = new();
    // One buffer per loop: the write loop spools into one while the replay loop reads into the other.
    private readonly PooledBufferWriter _spoolingRecord = new();
    private readonly PooledBufferWriter _replayingRecord = new();
    private readonly List<TaskCompletionSource> _barriers = [];
    private readonly ConcurrentDictionary<string, long> _droppedByTenant = new(StringComparer.Ordinal);
    private Task _writeLoop = Task.CompletedTask;
    private Task _replayLoop = Task.CompletedTask;
    private volatile bool _schemaReady;
    private volatile bool _stopping;
    private volatile bool _spoolFull;

    private long _linesWritten;
    private long _pixelHitsWritten;
    private long _eventsWritten;
    private long _rowsWritten;
    private long _insertsFailed;
    private long _roundsSpooled;
    private long _roundsReplayed;
    private long _duplicatesAvoided;
    private long _partialInserts;
    private long _roundsDropped;
    private long _lastSuccessTicks = Environment.TickCount64;

    public ClickHouseSink(ClickHouseOptions options, DiskSpool spool, ObjectPool<FlushBatch> batchPool, ILogger logger)
    {
        _options = options;
        _spool = spool;
        _batchPool = batchPool;
        _logger = logger;
        _client = ClickHouseClients.CreateClient(options);
        _queue = Channel.CreateBounded<FlushBatch>(new BoundedChannelOptions(options.MaxQueuedBatches)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = false,
        });
        _insertSql = new string[TableEncoders.Tables.Length];
        for (int i = 0; i < _insertSql.Length; i++)
        {
            _insertSql[i] = TableEncoders.InsertSql(options.Database, i);
        }
    }

    /// <summary>Lines whose counters ClickHouse has confirmed.</summary>
    public long LinesWritten => Volatile.Read(ref _linesWritten);

    /// <summary>Pixel hits whose counters ClickHouse has confirmed.</summary>
    public long PixelHitsWritten => Volatile.Read(ref _pixelHitsWritten);

    /// <summary>Events whose counters ClickHouse has confirmed.</summary>
    public long EventsWritten => Volatile.Read(ref _eventsWritten);

    public long RowsWritten => Volatile.Read(ref _rowsWritten);

    public long InsertsFailed => Volatile.Read(ref _insertsFailed);

    public int QueuedBatches => _queue.Reader.Count;

    public DiskSpool Spool => _spool;

    /// <summary>Rounds written to the spool because ClickHouse could not take them then.</summary>
    public long RoundsSpooled => Volatile.Read(ref _roundsSpooled);

    /// <summary>Spooled rounds ClickHouse has since confirmed.</summary>
    public long RoundsReplayed => Volatile.Read(ref _roundsReplayed);

    /// <summary>Inserts found in <c>insert_ledger</c> before a retry, so not sent again.</summary>
    public long DuplicatesAvoided => Volatile.Read(ref _duplicatesAvoided);

    /// <summary>Inserts ClickHouse applied in part (ledger rows short of the insert's); not retried, logged.</summary>
    public long PartialInserts => Volatile.Read(ref _partialInserts);

    /// <summary>Rounds lost because ClickHouse could not take them and the spool was full.</summary>
    public long RoundsDropped => Volatile.Read(ref _roundsDropped);

    /// <summary>Lines, pixel hits and events lost to a full spool, per tenant.</summary>
    public IReadOnlyDictionary<string, long> DroppedByTenant => _droppedByTenant;

    /// <summary>
    /// True from a round dropped for want of spool room until the replay has brought the spool below 90 % of
    /// its cap: one steady signal for an operator, not a flicker each time a small round still fits.
    /// </summary>
    public bool SpoolFull => _spoolFull;

    /// <summary>From a round's first batch taken to ClickHouse's confirmation of it (direct or replayed).</summary>
    public LatencyBuckets FlushLatency { get; } = new();

    /// <summary>Time since ClickHouse last accepted an insert or the schema (or since start).</summary>
    public TimeSpan SinceLastSuccess => TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _lastSuccessTicks));

    /// <summary>
    /// Applies the schema once (so a healthy ClickHouse has its tables before the server takes traffic or
    /// answers reads), then starts the loops. If ClickHouse can't be reached now, the replay loop keeps
    /// trying and writes are spooled meanwhile: a start never fails for want of ClickHouse.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_options.ApplySchema)
        {
            _schemaReady = true;
        }
        else
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(TimeSpan.FromSeconds(10));
            try
            {
                await SchemaMigrator.ApplyAsync(_client, _options.Database, attempt.Token).ConfigureAwait(false);
                _schemaReady = true;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                Log.SchemaDeferred(_logger, ex);
            }
        }

        Start();
    }

    private void Start()
    {
        _writeLoop = Task.Run(WriteLoopAsync);
        _replayLoop = Task.Run(ReplayLoopAsync);
    }

    public ValueTask WriteAsync(FlushBatch batch, CancellationToken cancellationToken)
    {
        // An empty batch that carries a barrier must still queue: behind the batches before it.
        if (batch.IsEmpty && batch.Barriers.Count == 0)
        {
            _batchPool.Return(batch);
            return ValueTask.CompletedTask;
        }

        return _queue.Writer.WriteAsync(batch, cancellationToken);
    }

    /// <summary>
    /// Writes what is queued (to ClickHouse, or to the spool if it can't take it), then replays the spool
    /// for as long as ClickHouse keeps answering. If <paramref name="cancellationToken"/> fires first, an
    /// insert in flight is abandoned and its round spooled; what stays in the spool is replayed at the next start.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        using (cancellationToken.Register(static state => ((CancellationTokenSource)state!).Cancel(), _abort))
        {
            await _writeLoop.ConfigureAwait(false);
            _stopping = true;
            _spooled.Release();
            await _replayLoop.ConfigureAwait(false);
        }

        if (!_spool.IsEmpty)
        {
            Log.StoppedWithSpool(_logger, _spool.Records, _spool.Bytes, _spool.Directory);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(new CancellationToken(canceled: true)).ConfigureAwait(false);
        _client.Dispose();
        _writeRound.Dispose();
        _replayRound.Dispose();
        _spoolingRecord.Dispose();
        _replayingRecord.Dispose();
        _abort.Dispose();
        _spooled.Dispose();
    }

    private async Task WriteLoopAsync()
    {
        ChannelReader<FlushBatch> reader = _queue.Reader;
        InsertRound round = _writeRound;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            long started = Stopwatch.GetTimestamp();
            round.Reset();
            while (reader.TryRead(out FlushBatch? batch))
            {
                round.Add(batch);
                _barriers.AddRange(batch.Barriers);
            }

            if (!round.IsEmpty)
            {
                await WriteOrSpoolAsync(round, started).ConfigureAwait(false);
            }

            foreach (TaskCompletionSource barrier in _barriers)
            {
                barrier.TrySetResult();
            }

            _barriers.Clear();
            foreach (FlushBatch batch in round.Batches)
            {
                _batchPool.Return(batch);
            }
        }
    }

    private async Task WriteOrSpoolAsync(InsertRound round, long started)
    {
        if (_schemaReady && _spool.IsEmpty && !_abort.IsCancellationRequested)
        {
            try
            {
                foreach (TableInsert table in round.Tables)
                {
                    if (table.Rows > 0)
                    {
                        await InsertAsync(table, _abort.Token).ConfigureAwait(false);
                    }
                }

                Confirmed(round, started);
                return;
            }
            catch (Exception ex)
            {
                // Whatever failed (refused, timeout, an error status, a stop), what ClickHouse took is in
                // insert_ledger: the replay sends only the rest.
                Interlocked.Increment(ref _insertsFailed);
                Log.WriteFailedSpooling(_logger, ex, _spool.Directory);
            }
        }

        _spoolingRecord.Reset();
        round.WriteTo(_spoolingRecord);
        if (_spool.TryAppend(_spoolingRecord.WrittenSpan, DateTimeOffset.UtcNow))
        {
            Interlocked.Increment(ref _roundsSpooled);
            _spooled.Release();
            return;
        }

        Interlocked.Increment(ref _roundsDropped);
        long dropped = 0;
        foreach ((string tenant, long count) in round.CountsByTenant())
        {
            _droppedByTenant.AddOrUpdate(tenant, count, (_, before) => before + count);
            dropped += count;
        }

        if (!_spoolFull)
        {
            _spoolFull = true;
            Log.SpoolFull(_logger, _spool.Directory, _spool.Bytes, dropped);
        }
    }

    private async Task ReplayLoopAsync()
    {
        CancellationToken abort = _abort.Token;
        TimeSpan delay = TimeSpan.FromMilliseconds(100);
        int failures = 0;
        while (!abort.IsCancellationRequested)
        {
            try
            {
                if (!_schemaReady)
                {
                    // Only false when ApplySchema is on and StartAsync's attempt failed.
                    await SchemaMigrator.ApplyAsync(_client, _options.Database, abort).ConfigureAwait(false);
                    _schemaReady = true;
                    Succeeded(ref failures, "schema");
                }

                if (!_spool.TryReadOldest(_replayingRecord))
                {
                    if (_stopping)
                    {
                        return;
                    }

                    await _spooled.WaitAsync(TimeSpan.FromSeconds(1), abort).ConfigureAwait(false);
                    continue;
                }

                long started = Stopwatch.GetTimestamp();
                if (!_replayRound.TryReadFrom(_replayingRecord.WrittenSpan))
                {
                    Log.UnreadableRecord(_logger, _spool.Directory);
                    _spool.AcknowledgeOldest();
                    continue;
                }

                await ReplayAsync(_replayRound, abort).ConfigureAwait(false);
                _spool.AcknowledgeOldest();
                ClearSpoolFullOnceDrained();
                Interlocked.Increment(ref _roundsReplayed);
                Confirmed(_replayRound, started);
                Succeeded(ref failures, "replay");
                delay = TimeSpan.FromMilliseconds(100);
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                if (_stopping)
                {
                    // At a stop, one failure ends the replay: the spool keeps the rest for the next start.
                    return;
                }

                failures++;
                Interlocked.Increment(ref _insertsFailed);
                // One warning per outage step, not per attempt: attempts 1, 2, 4, 8 ...
                if ((failures & (failures - 1)) == 0)
                {
                    Log.Failed(_logger, ex, _schemaReady ? "replay" : "schema", failures, delay);
                }

                try
                {
                    await Task.Delay(delay, abort).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
            }
        }
    }

    /// <summary>Sends the tables of a spooled round that ClickHouse does not have yet.</summary>
    private async Task ReplayAsync(InsertRound round, CancellationToken cancellationToken)
    {
        // Running first, ledger second: an insert that is not running now and not in the ledger either
        // never took effect, and can't any more.
        if (await CountRunningAsync(round, cancellationToken).ConfigureAwait(false) > 0)
        {
            throw new InvalidOperationException("An earlier attempt of this round is still running in ClickHouse; waiting for it.");
        }

        Dictionary<ulong, long> ledger = await LedgerRowsAsync(round, cancellationToken).ConfigureAwait(false);
        foreach (TableInsert table in round.Tables)
        {
            if (table.Rows == 0)
            {
                continue;
            }

            if (ledger.TryGetValue(table.InsertId, out long rows))
            {
                Interlocked.Increment(ref _duplicatesAvoided);
                if (rows != table.Rows)
                {
                    Interlocked.Increment(ref _partialInserts);
                    Log.PartialInsert(_logger, table.Name, table.InsertId, rows, table.Rows);
                }

                continue;
            }

            await InsertAsync(table, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task InsertAsync(TableInsert table, CancellationToken cancellationToken)
    {
        using var body = new ReadOnlyMemoryStream(table.Body.WrittenMemory);
        var options = new QueryOptions { QueryId = QueryId(table.InsertId), CustomSettings = s_insertSettings };
        using HttpResponseMessage response = await _client.PostStreamAsync(_insertSql[table.Index], body, isCompressed: false, cancellationToken, options).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            string error = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new ClickHouseException((int)response.StatusCode, error);
        }

        Volatile.Write(ref _lastSuccessTicks, Environment.TickCount64);
    }

    private async Task<long> CountRunningAsync(InsertRound round, CancellationToken cancellationToken)
    {
        string ids = string.Join(", ", round.Tables.Where(t => t.Rows > 0).Select(t => "'" + QueryId(t.InsertId) + "'"));
        string text = await _client.QueryTextAsync($"SELECT count() FROM system.processes WHERE query_id IN ({ids}) FORMAT TSV", cancellationToken).ConfigureAwait(false);
        return long.Parse(text.Trim(), CultureInfo.InvariantCulture);
    }

    private async Task<Dictionary<ulong, long>> LedgerRowsAsync(InsertRound round, CancellationToken cancellationToken)
    {
        string ids = string.Join(", ", round.Tables.Where(t => t.Rows > 0).Select(t => t.InsertId.ToString(CultureInfo.InvariantCulture)));
        string text = await _client.QueryTextAsync(
            $"SELECT insert_id, sum(rows) FROM {_options.Database}.insert_ledger WHERE insert_id IN ({ids}) GROUP BY insert_id FORMAT TSV",
            cancellationToken).ConfigureAwait(false);
        var rows = new Dictionary<ulong, long>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] fields = line.Split('\t');
            rows[ulong.Parse(fields[0], CultureInfo.InvariantCulture)] = long.Parse(fields[1], CultureInfo.InvariantCulture);
        }

        return rows;
    }

    private static string QueryId(ulong insertId) => "fastingest-" + insertId.ToString("x16", CultureInfo.InvariantCulture);

    private void ClearSpoolFullOnceDrained()
    {
        if (_spoolFull && _spool.Bytes < _spool.MaxBytes / 10 * 9)
        {
            _spoolFull = false;
            Log.SpoolHasRoomAgain(_logger, _spool.Directory);
        }
    }

    private void Confirmed(InsertRound round, long started)
    {
        Interlocked.Add(ref _rowsWritten, round.Rows);
        Interlocked.Add(ref _linesWritten, round.Lines);
        Interlocked.Add(ref _pixelHitsWritten, round.PixelHits);
        Interlocked.Add(ref _eventsWritten, round.Events);
        SinkMetrics.RecordFlushLatency(this, Stopwatch.GetElapsedTime(started));
    }

    private void Succeeded(ref int failures, string what)
    {
        Volatile.Write(ref _lastSuccessTicks, Environment.TickCount64);
        if (failures > 0)
        {
            Log.Recovered(_logger, what, failures + 1);
            failures = 0;
        }
    }

    private static partial class Log
    {
        // Sinks own EventIds 500-599; next free: 509.
        [LoggerMessage(500, LogLevel.Warning, "ClickHouse {What} failed (attempt {Attempt}); retrying in {Delay}")]
        public static partial void Failed(ILogger logger, Exception exception, string what, int attempt, TimeSpan delay);

        [LoggerMessage(501, LogLevel.Information, "ClickHouse {What} succeeded after {Attempt} attempts")]
        public static partial void Recovered(ILogger logger, string what, int attempt);

        [LoggerMessage(502, LogLevel.Warning, "ClickHouse did not take a flush; spooling to {Directory} until it does")]
        public static partial void WriteFailedSpooling(ILogger logger, Exception exception, string directory);

        [LoggerMessage(503, LogLevel.Error, "Spool {Directory} is full ({Bytes} bytes) and ClickHouse can't take writes: DROPPING counts ({Count} lines, hits and events in this round; per tenant in /metrics) until one of them has room")]
        public static partial void SpoolFull(ILogger logger, string directory, long bytes, long count);

        [LoggerMessage(504, LogLevel.Information, "Spool {Directory} has room again; no longer dropping")]
        public static partial void SpoolHasRoomAgain(ILogger logger, string directory);

        [LoggerMessage(505, LogLevel.Error, "Spool record in {Directory} is not a round this version can read; skipped it")]
        public static partial void UnreadableRecord(ILogger logger, string directory);

        [LoggerMessage(506, LogLevel.Error, "ClickHouse applied insert {InsertId:x16} into {Table} only in part ({Seen} of {Rows} rows); not retried, to never count twice")]
        public static partial void PartialInsert(ILogger logger, string table, ulong insertId, long seen, long rows);

        [LoggerMessage(508, LogLevel.Warning, "ClickHouse did not take the schema at start; writes are spooled until it does")]
        public static partial void SchemaDeferred(ILogger logger, Exception exception);

        [LoggerMessage(507, LogLevel.Warning, "Stopped with {Records} rounds ({Bytes} bytes) in the spool {Directory}; the next start replays them")]
        public static partial void StoppedWithSpool(ILogger logger, int records, long bytes, string directory);
    }
}

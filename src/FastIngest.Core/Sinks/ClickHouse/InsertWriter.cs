using System.Diagnostics;
using System.Threading.Channels;
using FastIngest.Core.ClickHouse;
using FastIngest.Core.Internal;
using FastIngest.Core.Sinks.Spool;
using Microsoft.Extensions.Logging;

namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// The sink's write loop: takes every flush batch that is waiting and encodes them into one
/// <see cref="InsertRound"/> (one insert per table however many shards flushed). While the schema is in
/// place and the spool empty it inserts the round once; if that fails, or while the spool is not empty
/// (to keep the order), the round goes to the <see cref="DiskSpool"/> for the <see cref="SpoolReplayer"/>.
/// Either way its batches' barriers complete: the round is in ClickHouse or on disk. No round touches more
/// than <c>ClickHouse:MaxPartitionsPerInsert</c> months: the <see cref="PartitionSplitter"/> cuts a batch
/// that spans more, and a batch that would take the round over the cap starts the next round.
/// </summary>
/// <remarks>
/// The round and the spool record buffer are this loop's own: the replay loop reads spooled records into
/// buffers of its own, so one loop can never decode the other's bytes (the race fixed in e54c97d).
/// </remarks>
internal sealed class InsertWriter : IDisposable
{
    private readonly Channel<FlushBatch> _queue;
    private readonly DiskSpool _spool;
    private readonly RowBinaryInserter _inserter;
    private readonly SpoolReplayer _replayer;
    private readonly SinkCounters _counters;
    private readonly ObjectPool<FlushBatch> _batchPool;
    private readonly ILogger _logger;
    private readonly CancellationToken _abort;
    private readonly InsertRound _round = new();
    private readonly PooledBufferWriter _spoolingRecord = new();
    private readonly List<TaskCompletionSource> _barriers = [];
    private readonly PartitionSplitter _splitter;
    private readonly List<FlushBatch> _pieces = [];
    private readonly HashSet<int> _roundMonths = [];
    private readonly HashSet<int> _pieceMonths = [];
    private long _refusedRecordBytes;
    // Batches taken off the queue into the round being written, until it is confirmed or spooled: written
    // by the loop only, read by metrics and health from other threads.
    private int _batchesInRound;

    public InsertWriter(
        int maxQueuedBatches,
        int maxPartitionsPerInsert,
        DiskSpool spool,
        RowBinaryInserter inserter,
        SpoolReplayer replayer,
        SinkCounters counters,
        ObjectPool<FlushBatch> batchPool,
        ILogger logger,
        CancellationToken abort)
    {
        _queue = Channel.CreateBounded<FlushBatch>(new BoundedChannelOptions(maxQueuedBatches)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = false,
        });
        _spool = spool;
        _inserter = inserter;
        _replayer = replayer;
        _counters = counters;
        _batchPool = batchPool;
        _splitter = new PartitionSplitter(maxPartitionsPerInsert, batchPool);
        _logger = logger;
        _abort = abort;
    }

    /// <summary>
    /// Batches not yet in ClickHouse or the spool: those queued (shards wait once the queue holds the
    /// configured maximum: backpressure) and those of the round being written. Zero means every flushed
    /// round has landed somewhere, which a stop, a test or an operator can wait for.
    /// </summary>
    public int QueuedBatches => _queue.Reader.Count + Volatile.Read(ref _batchesInRound);

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

    /// <summary>No more batches: the loop ends once it has written what is queued.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>Runs until <see cref="Complete"/> and the queue is drained.</summary>
    public async Task RunAsync()
    {
        ChannelReader<FlushBatch> reader = _queue.Reader;
        InsertRound round = _round;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            long started = Stopwatch.GetTimestamp();
            round.Reset();
            _roundMonths.Clear();
            while (reader.TryRead(out FlushBatch? batch))
            {
                Volatile.Write(ref _batchesInRound, _batchesInRound + 1);
                _pieces.Clear();
                _splitter.Split(batch, _pieces);
                foreach (FlushBatch piece in _pieces)
                {
                    // A round touches at most MaxPartitionsPerInsert months too: one that would go over is
                    // written first, and the piece starts the next.
                    if (!FitsRound(piece))
                    {
                        await EndRoundAsync(round, started).ConfigureAwait(false);
                        // The batch this piece came from is still being written.
                        Volatile.Write(ref _batchesInRound, 1);
                        started = Stopwatch.GetTimestamp();
                        round.Reset();
                        _roundMonths.Clear();
                    }

                    _roundMonths.UnionWith(_pieceMonths);
                    round.Add(piece);
                    _barriers.AddRange(piece.Barriers);
                }
            }

            await EndRoundAsync(round, started).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _round.Dispose();
        _spoolingRecord.Dispose();
    }

    /// <summary>True if <paramref name="piece"/>'s months (left in the scratch set) keep the round within the cap.</summary>
    private bool FitsRound(FlushBatch piece)
    {
        _pieceMonths.Clear();
        PartitionSplitter.AddMonths(piece, _pieceMonths);
        int added = 0;
        foreach (int month in _pieceMonths)
        {
            if (!_roundMonths.Contains(month))
            {
                added++;
            }
        }

        return _round.Batches.Count == 0 || _roundMonths.Count + added <= _splitter.MaxPartitions;
    }

    private async Task EndRoundAsync(InsertRound round, long started)
    {
        try
        {
            if (!round.IsEmpty)
            {
                await WriteOrSpoolAsync(round, started).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            // ZLogger's rule: a loop that writes catches per round and goes on. Only a bug gets here
            // (ClickHouse and disk failures are handled below); the round is lost, counted, logged.
            long lost = _counters.RoundDropped(round);
            SinkLog.RoundLost(_logger, ex, lost);
        }

        // Whatever became of the round (in ClickHouse, in the spool, or dropped and counted), the sources
        // waiting on its barriers go on: a file tail must never hang on a full disk.
        foreach (TaskCompletionSource barrier in _barriers)
        {
            barrier.TrySetResult();
        }

        _barriers.Clear();
        foreach (FlushBatch batch in round.Batches)
        {
            _batchPool.Return(batch);
        }

        Volatile.Write(ref _batchesInRound, 0);
    }

    private async Task WriteOrSpoolAsync(InsertRound round, long started)
    {
        if (_replayer.SchemaReady && _spool.IsEmpty && !_abort.IsCancellationRequested)
        {
            TableInsert? sending = null;
            try
            {
                foreach (TableInsert table in round.Tables)
                {
                    if (table.Rows > 0)
                    {
                        sending = table;
                        await _inserter.InsertAsync(table, _abort).ConfigureAwait(false);
                    }
                }

                _counters.Confirmed(round, started);
                // ClickHouse takes writes again: nothing is being dropped, whatever the disk.
                EndDiskFault();
                return;
            }
            catch (Exception ex)
            {
                // Whatever failed (refused, timeout, an error status, a stop), what ClickHouse took is in
                // insert_ledger: the replay sends only the rest. But an insert ClickHouse refused may have
                // a ledger row all the same (its ledger view may have run before the data view failed), so
                // it is spooled under its next id (InsertIds), which no attempt has used: the replay's
                // ledger check then tells the truth about it.
                if (sending is not null && ClickHouseErrors.IsDefiniteRefusal(ex))
                {
                    sending.Rekey(1);
                }

                _counters.InsertFailed();
                if (_counters.SpoolDiskFault is null)
                {
                    // During a disk fault the spool stays empty, so every round tries ClickHouse first (how
                    // it recovers if ClickHouse comes back before the disk): the outage was logged once.
                    SinkLog.WriteFailedSpooling(_logger, ex, _spool.Directory);
                }
            }
        }

        _spoolingRecord.Reset();
        round.WriteTo(_spoolingRecord);
        if (_spool.TryAppend(_spoolingRecord.WrittenSpan, DateTimeOffset.UtcNow, out Exception? diskFault))
        {
            _counters.RoundSpooled();
            _replayer.Spooled();
            if (_counters.SpoolDiskFault is not null && _spool.AvailableBytes >= _refusedRecordBytes)
            {
                EndDiskFault();
            }

            return;
        }

        long dropped = _counters.RoundDropped(round);
        if (diskFault is not null)
        {
            _refusedRecordBytes = _spoolingRecord.WrittenCount;
            // Handled like a full spool (the round is dropped and counted per tenant, /health says 503),
            // but logged once per outage: the disk may refuse every round for a while.
            if (_counters.RaiseSpoolDiskFault(diskFault))
            {
                SinkLog.SpoolDiskFault(_logger, diskFault, _spool.Directory, dropped);
            }
        }
        else if (_counters.RaiseSpoolFull())
        {
            SinkLog.SpoolFull(_logger, _spool.Directory, _spool.Bytes, dropped);
        }
    }

    /// <summary>
    /// Ends a disk-fault outage. The writer decides, not the replayer's 90 % rule: a full disk refuses
    /// writes with the spool far below its own cap. It ends when ClickHouse takes a round directly, or when
    /// a round is spooled and the disk now has room for the record it refused (its uncompressed size, an
    /// upper bound): a small round that squeezes into the last free bytes does not end it, so the state
    /// does not flicker while the disk stays full.
    /// </summary>
    private void EndDiskFault()
    {
        if (_counters.LowerSpoolDiskFault())
        {
            SinkLog.SpoolWritableAgain(_logger, _spool.Directory, _counters.SpoolDiskFaults);
        }
    }
}

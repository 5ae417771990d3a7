using System.Diagnostics;
using ClickHouse.Driver;
using FastIngest.Core.ClickHouse;
using FastIngest.Core.Internal;
using FastIngest.Core.Sinks.Spool;
using Microsoft.Extensions.Logging;

namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// The sink's replay loop: applies the schema (retrying with backoff until ClickHouse takes it), then
/// sends spooled rounds oldest first and acknowledges each only once ClickHouse confirmed it.
/// </summary>
/// <remarks>
/// <para>A spooled round may already be in ClickHouse (the first attempt timed out after ClickHouse took
/// it; a crash came between insert and acknowledgement), so before sending it the loop asks the
/// <see cref="InsertLedger"/> which of its inserts still run and which ClickHouse has, and sends only
/// the rest.</para>
/// <para>The round and the record buffer are this loop's own; the <see cref="InsertWriter"/> spools
/// from buffers of its own (the race fixed in e54c97d came from sharing one).</para>
/// </remarks>
internal sealed class SpoolReplayer : IDisposable
{
    private readonly ClickHouseOptions _options;
    private readonly ClickHouseClient _client;
    private readonly DiskSpool _spool;
    private readonly RowBinaryInserter _inserter;
    private readonly InsertLedger _ledger;
    private readonly SinkCounters _counters;
    private readonly ILogger _logger;
    private readonly CancellationToken _abort;
    private readonly SemaphoreSlim _spooled = new(0);
    private readonly InsertRound _round = new();
    private readonly PooledBufferWriter _record = new();
    private volatile bool _schemaReady;
    private volatile bool _stopping;

    public SpoolReplayer(
        ClickHouseOptions options,
        ClickHouseClient client,
        DiskSpool spool,
        RowBinaryInserter inserter,
        InsertLedger ledger,
        SinkCounters counters,
        ILogger logger,
        CancellationToken abort)
    {
        _options = options;
        _client = client;
        _spool = spool;
        _inserter = inserter;
        _ledger = ledger;
        _counters = counters;
        _logger = logger;
        _abort = abort;
    }

    /// <summary>The schema is in place (or not ours to apply): the writer may insert directly.</summary>
    public bool SchemaReady => _schemaReady;

    /// <summary>
    /// One attempt at the schema before the loops start, so a healthy ClickHouse has its tables before the
    /// server takes traffic or answers reads. A failure is logged and left to the loop to retry.
    /// </summary>
    public async Task ApplySchemaAtStartAsync(CancellationToken cancellationToken)
    {
        if (!_options.ApplySchema)
        {
            _schemaReady = true;
            return;
        }

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await SchemaMigrator.ApplyAsync(_client, _options.Database, attempt.Token).ConfigureAwait(false);
            _schemaReady = true;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            SinkLog.SchemaDeferred(_logger, ex);
        }
    }

    /// <summary>The writer appended a round: wake the loop rather than let it wait out its poll.</summary>
    public void Spooled() => _spooled.Release();

    /// <summary>The writer has ended: the loop ends once the spool is empty or a replay fails.</summary>
    public void StopWhenDrained()
    {
        _stopping = true;
        _spooled.Release();
    }

    /// <summary>Runs until the abort token fires, or after <see cref="StopWhenDrained"/>.</summary>
    public async Task RunAsync()
    {
        CancellationToken abort = _abort;
        TimeSpan delay = TimeSpan.FromMilliseconds(100);
        int failures = 0;
        while (!abort.IsCancellationRequested)
        {
            try
            {
                if (!_schemaReady)
                {
                    // Only false when ApplySchema is on and the attempt at start failed.
                    await SchemaMigrator.ApplyAsync(_client, _options.Database, abort).ConfigureAwait(false);
                    _schemaReady = true;
                    Succeeded(ref failures, "schema");
                }

                if (!_spool.TryReadOldest(_record))
                {
                    if (_stopping)
                    {
                        return;
                    }

                    await _spooled.WaitAsync(TimeSpan.FromSeconds(1), abort).ConfigureAwait(false);
                    continue;
                }

                long started = Stopwatch.GetTimestamp();
                if (!_round.TryReadFrom(_record.WrittenSpan))
                {
                    SinkLog.UnreadableRecord(_logger, _spool.Directory);
                    _spool.AcknowledgeOldest();
                    continue;
                }

                await ReplayAsync(_round, abort).ConfigureAwait(false);
                _spool.AcknowledgeOldest();
                LowerSpoolFullOnceDrained();
                _counters.RoundReplayed();
                _counters.Confirmed(_round, started);
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
                _counters.InsertFailed();
                // One warning per outage step, not per attempt: attempts 1, 2, 4, 8 ...
                if ((failures & (failures - 1)) == 0)
                {
                    SinkLog.Failed(_logger, ex, _schemaReady ? "replay" : "schema", failures, delay);
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

    public void Dispose()
    {
        _round.Dispose();
        _record.Dispose();
        _spooled.Dispose();
    }

    /// <summary>Sends the tables of a spooled round that ClickHouse does not have yet.</summary>
    private async Task ReplayAsync(InsertRound round, CancellationToken cancellationToken)
    {
        // Running first, ledger second: an insert that is not running now and not in the ledger either
        // never took effect, and can't any more.
        if (await _ledger.CountRunningAsync(round, cancellationToken).ConfigureAwait(false) > 0)
        {
            throw new InvalidOperationException("An earlier attempt of this round is still running in ClickHouse; waiting for it.");
        }

        Dictionary<ulong, long> ledger = await _ledger.RowsAsync(round, cancellationToken).ConfigureAwait(false);
        foreach (TableInsert table in round.Tables)
        {
            if (table.Rows == 0)
            {
                continue;
            }

            if (ledger.TryGetValue(table.InsertId, out long rows))
            {
                _counters.DuplicateAvoided();
                if (rows != table.Rows)
                {
                    _counters.PartialInsert();
                    SinkLog.PartialInsert(_logger, table.Name, table.InsertId, rows, table.Rows);
                }

                continue;
            }

            await _inserter.InsertAsync(table, cancellationToken).ConfigureAwait(false);
        }
    }

    private void LowerSpoolFullOnceDrained()
    {
        if (_counters.SpoolFull && _spool.Bytes < _spool.MaxBytes / 10 * 9)
        {
            _counters.LowerSpoolFull();
            SinkLog.SpoolHasRoomAgain(_logger, _spool.Directory);
        }
    }

    private void Succeeded(ref int failures, string what)
    {
        _counters.Succeeded();
        if (failures > 0)
        {
            SinkLog.Recovered(_logger, what, failures + 1);
            failures = 0;
        }
    }
}

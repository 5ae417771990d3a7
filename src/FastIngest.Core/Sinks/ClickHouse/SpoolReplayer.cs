using System.Diagnostics;
using System.Globalization;
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
/// <para>A round ClickHouse refuses for good (<see cref="ClickHouseErrors"/>: bad data, a schema changed
/// by hand) would block every round behind it until the spool is full; after
/// <see cref="ClickHouseOptions.PoisonRetries"/> attempts it moves to the <see cref="RoundQuarantine"/>
/// instead, and <c>FastIngest.Server spool retry</c> sends it once the cause is fixed (issue 13, item 4).</para>
/// <para>The round and the record buffer are this loop's own; the <see cref="InsertWriter"/> spools
/// from buffers of its own (the race fixed in e54c97d came from sharing one).</para>
/// </remarks>
internal sealed class SpoolReplayer : IDisposable
{
    private readonly ClickHouseOptions _options;
    private readonly Func<CancellationToken, Task> _applySchema;
    private readonly DiskSpool _spool;
    private readonly RowBinaryInserter _inserter;
    private readonly LedgerSender _sender;
    private readonly RoundQuarantine _quarantine;
    private readonly ReplayGenerations _generations;
    private readonly SinkCounters _counters;
    private readonly ILogger _logger;
    private readonly CancellationToken _abort;
    private readonly SemaphoreSlim _spooled = new(0);
    private readonly InsertRound _round = new();
    private readonly PooledBufferWriter _record = new();
    private volatile bool _schemaReady;

    // The round whose missing table or database last sent the loop back to the schema (see RunAsync).
    private ulong _schemaAgainForRound;
    private volatile bool _stopping;
    private ulong _poisonRoundId;
    private int _poisonAttempts;

    public SpoolReplayer(
        ClickHouseOptions options,
        Func<CancellationToken, Task> applySchema,
        DiskSpool spool,
        RowBinaryInserter inserter,
        InsertLedger ledger,
        RoundQuarantine quarantine,
        SinkCounters counters,
        ILogger logger,
        CancellationToken abort)
    {
        _options = options;
        _applySchema = applySchema;
        _spool = spool;
        _inserter = inserter;
        _sender = new LedgerSender(ledger, inserter, counters, logger);
        _quarantine = quarantine;
        _generations = new ReplayGenerations(spool.Directory);
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
            await _applySchema(attempt.Token).ConfigureAwait(false);
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
                    // Only false when ApplySchema is on and the attempt at start failed, or an insert found no
                    // table or database.
                    await _applySchema(abort).ConfigureAwait(false);
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

                // At the generations saved when ClickHouse refused its inserts before (this run or the last).
                _generations.ApplyTo(_round);
                await _sender.SendMissingAsync(_round, abort).ConfigureAwait(false);
                _spool.AcknowledgeOldest();
                _generations.Forget();
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
                // An insert ClickHouse refused goes under its next id from now on (see InsertIds).
                NextGenerations();

                // No such table or database where the insert went (a replica that was down when the schema
                // was applied, a database dropped under us): the schema again before the next attempt, once
                // per round and not counted against it; if the round still finds none, it is poison as before.
                if (_options.ApplySchema && _schemaReady && ClickHouseErrors.IsMissingSchema(ex) && _schemaAgainForRound != RoundQuarantine.RoundId(_round))
                {
                    _schemaAgainForRound = RoundQuarantine.RoundId(_round);
                    _schemaReady = false;
                    SinkLog.SchemaMissing(_logger, ex);
                }

                // A round ClickHouse refused for good, tried PoisonRetries times: set aside, the next one goes.
                else if (ex is PoisonRoundException poison && TryQuarantine(poison))
                {
                    delay = TimeSpan.FromMilliseconds(100);
                    continue;
                }

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

    /// <summary>
    /// Counts a permanent refusal of the oldest round; on its <see cref="ClickHouseOptions.PoisonRetries"/>th
    /// (with the usual backoff between them) moves the round to the quarantine folder, durably, and only
    /// then removes it from the spool. False while it is to be tried again, or when the quarantine's disk
    /// refused the write (the round stays in the spool, the loop backs off and tries again: item 5's rule).
    /// </summary>
    private bool TryQuarantine(PoisonRoundException poison)
    {
        ulong id = RoundQuarantine.RoundId(_round);
        if (id != _poisonRoundId)
        {
            _poisonRoundId = id;
            _poisonAttempts = 0;
        }

        _poisonAttempts++;
        if (_poisonAttempts < _options.PoisonRetries)
        {
            return false;
        }

        _counters.InsertFailed();
        ClickHouseRefusal refusal = poison.Refusal;
        long count = _round.Lines + _round.PixelHits + _round.Events;
        if (_quarantine.Scan().Bytes + _record.WrittenCount > _quarantine.MaxBytes)
        {
            // Bounded like the spool: a quarantine at its cap drops the round (counted) rather than stall.
            _spool.AcknowledgeOldest();
            _generations.Forget();
            _counters.RoundDropped(_round);
            SinkLog.QuarantineFullDropped(_logger, poison.Table, refusal.Code, refusal.Name, poison.ServerMessage, _quarantine.Directory, _quarantine.MaxBytes, count);
            _poisonAttempts = 0;
            return true;
        }

        QuarantinedRound quarantined;
        try
        {
            quarantined = _quarantine.Add(_record.WrittenSpan, _round, poison, _poisonAttempts, DateTimeOffset.UtcNow);
        }
        catch (Exception ex)
        {
            // Runs inside the loop's catch: nothing may escape it, or the loop would die. ENOSPC and EIO are
            // the expected failures here; whatever it was, the round stays in the spool for the next attempt.
            if (_counters.RaiseQuarantineFault(ex))
            {
                SinkLog.QuarantineDiskFault(_logger, ex, poison.Table, refusal.Code, _quarantine.Directory);
            }

            return false;
        }

        _spool.AcknowledgeOldest();
        _generations.Forget();
        LowerSpoolFullOnceDrained();
        string message = poison.ServerMessage.Length > 300 ? poison.ServerMessage[..300] : poison.ServerMessage;
        _counters.RoundQuarantined(string.Create(
            CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ssZ} {poison.Table}: Code {refusal.Code} ({refusal.Name}): {message}"));
        SinkLog.RoundQuarantined(_logger, _poisonAttempts, poison.Table, refusal.Code, refusal.Name, poison.ServerMessage, quarantined.RoundPath);
        _poisonAttempts = 0;
        return true;
    }

    /// <summary>
    /// Moves the inserts of the oldest round that ClickHouse definitely refused to their next generation
    /// and saves it (<see cref="ReplayGenerations"/>). Runs inside the loop's catch: nothing escapes.
    /// </summary>
    private void NextGenerations()
    {
        try
        {
            _generations.Advance(_round);
        }
        catch (Exception ex)
        {
            // The memory has the new generations: this run stays exact. Only a restart before the round
            // is written could go back to the refused id (said in the log).
            SinkLog.GenerationsNotSaved(_logger, ex, _generations.Path);
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

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// The sink's published numbers, written by its two loops and read by <c>/metrics</c> and <c>/health</c>.
/// Every field is read and written atomically; no loop keeps any other state here.
/// </summary>
internal sealed class SinkCounters
{
    private readonly ConcurrentDictionary<string, long> _droppedByTenant = new(StringComparer.Ordinal);
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
    private long _spoolDiskFaults;
    private volatile bool _spoolFull;
    private volatile string? _spoolDiskFault;
    private long _roundsQuarantined;
    private volatile string? _lastQuarantined;
    private volatile string? _quarantineFault;

    /// <summary>Lines whose counters ClickHouse has confirmed.</summary>
    public long LinesWritten => Volatile.Read(ref _linesWritten);

    /// <summary>Pixel hits whose counters ClickHouse has confirmed.</summary>
    public long PixelHitsWritten => Volatile.Read(ref _pixelHitsWritten);

    /// <summary>Events whose counters ClickHouse has confirmed.</summary>
    public long EventsWritten => Volatile.Read(ref _eventsWritten);

    /// <summary>Rows ClickHouse has confirmed, all tables.</summary>
    public long RowsWritten => Volatile.Read(ref _rowsWritten);

    /// <summary>Failed attempts: a direct insert that sent its round to the spool, or a failed replay or schema step.</summary>
    public long InsertsFailed => Volatile.Read(ref _insertsFailed);

    /// <summary>Rounds written to the spool because ClickHouse could not take them then.</summary>
    public long RoundsSpooled => Volatile.Read(ref _roundsSpooled);

    /// <summary>Spooled rounds ClickHouse has since confirmed.</summary>
    public long RoundsReplayed => Volatile.Read(ref _roundsReplayed);

    /// <summary>Inserts found in <c>insert_ledger</c> before a retry, so not sent again.</summary>
    public long DuplicatesAvoided => Volatile.Read(ref _duplicatesAvoided);

    /// <summary>Inserts ClickHouse applied in part (ledger rows short of the insert's); not retried, logged.</summary>
    public long PartialInserts => Volatile.Read(ref _partialInserts);

    /// <summary>Rounds lost because ClickHouse could not take them and the spool was full or its disk refused the write.</summary>
    public long RoundsDropped => Volatile.Read(ref _roundsDropped);

    /// <summary>Lines, pixel hits and events lost to a full spool or a disk fault, per tenant.</summary>
    public IReadOnlyDictionary<string, long> DroppedByTenant => _droppedByTenant;

    /// <summary>Set by the writer when a round is dropped, cleared by the replayer once the spool has room.</summary>
    public bool SpoolFull => _spoolFull;

    /// <summary>
    /// The file system's refusal (ENOSPC, EIO, ...) of the last spool write, while rounds are dropped for it;
    /// null once a round is kept again (in the spool or in ClickHouse). Only the writer sets and clears it.
    /// </summary>
    public string? SpoolDiskFault => _spoolDiskFault;

    /// <summary>Spool writes the file system refused (each a round dropped).</summary>
    public long SpoolDiskFaults => Volatile.Read(ref _spoolDiskFaults);

    /// <summary>Rounds ClickHouse refused for good and this process moved to the quarantine folder.</summary>
    public long RoundsQuarantined => Volatile.Read(ref _roundsQuarantined);

    /// <summary>The last round quarantined by this process: when, table, code and ClickHouse's message (cut short).</summary>
    public string? LastQuarantined => _lastQuarantined;

    /// <summary>While the disk refuses to take a poison round into quarantine: the error (the round stays in the spool).</summary>
    public string? QuarantineFault => _quarantineFault;

    /// <summary>
    /// The <c>fastingest_flush_latency_seconds</c> instrument once <see cref="SinkMetrics"/> has published it:
    /// from a round's first batch taken to ClickHouse's confirmation of it (direct or replayed). A histogram
    /// is recorded, not observed, so the sink holds the one instrument it records into.
    /// </summary>
    public Histogram<double>? FlushLatencyHistogram { get; set; }

    /// <summary>Time since ClickHouse last accepted an insert or the schema (or since start).</summary>
    public TimeSpan SinceLastSuccess => TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _lastSuccessTicks));

    /// <summary>ClickHouse has all of <paramref name="round"/>, taken at <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public void Confirmed(InsertRound round, long started)
    {
        Interlocked.Add(ref _rowsWritten, round.Rows);
        Interlocked.Add(ref _linesWritten, round.Lines);
        Interlocked.Add(ref _pixelHitsWritten, round.PixelHits);
        Interlocked.Add(ref _eventsWritten, round.Events);
        FlushLatencyHistogram?.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>ClickHouse accepted an insert or the schema just now.</summary>
    public void Succeeded() => Volatile.Write(ref _lastSuccessTicks, Environment.TickCount64);

    public void InsertFailed() => Interlocked.Increment(ref _insertsFailed);

    public void RoundSpooled() => Interlocked.Increment(ref _roundsSpooled);

    public void RoundReplayed() => Interlocked.Increment(ref _roundsReplayed);

    public void DuplicateAvoided() => Interlocked.Increment(ref _duplicatesAvoided);

    public void PartialInsert() => Interlocked.Increment(ref _partialInserts);

    /// <summary>Counts <paramref name="round"/> as lost per tenant; returns its lines, hits and events.</summary>
    public long RoundDropped(InsertRound round)
    {
        Interlocked.Increment(ref _roundsDropped);
        long dropped = 0;
        foreach ((string tenant, long count) in round.CountsByTenant())
        {
            _droppedByTenant.AddOrUpdate(tenant, count, (_, before) => before + count);
            dropped += count;
        }

        return dropped;
    }

    /// <summary>Raises <see cref="SpoolFull"/>; true if it was not raised before (only the writer calls this).</summary>
    public bool RaiseSpoolFull()
    {
        if (_spoolFull)
        {
            return false;
        }

        _spoolFull = true;
        return true;
    }

    /// <summary>Lowers <see cref="SpoolFull"/> (only the replayer calls this).</summary>
    public void LowerSpoolFull() => _spoolFull = false;

    /// <summary>
    /// Records a spool write the file system refused; true if it starts an outage (no fault was raised
    /// before), so the writer logs once per outage, not per round.
    /// </summary>
    public bool RaiseSpoolDiskFault(Exception fault)
    {
        Interlocked.Increment(ref _spoolDiskFaults);
        bool first = _spoolDiskFault is null;
        _spoolDiskFault = fault.GetType().Name + ": " + fault.Message;
        return first;
    }

    /// <summary>Ends a disk-fault outage; true if one was raised (only the writer calls this).</summary>
    public bool LowerSpoolDiskFault()
    {
        if (_spoolDiskFault is null)
        {
            return false;
        }

        _spoolDiskFault = null;
        return true;
    }

    /// <summary>A poison round went to the quarantine folder (only the replayer calls this).</summary>
    public void RoundQuarantined(string summary)
    {
        Interlocked.Increment(ref _roundsQuarantined);
        _lastQuarantined = summary;
        _quarantineFault = null;
    }

    /// <summary>Records a refused quarantine write; true if it starts an outage (log once).</summary>
    public bool RaiseQuarantineFault(Exception fault)
    {
        bool first = _quarantineFault is null;
        _quarantineFault = fault.GetType().Name + ": " + fault.Message;
        return first;
    }
}

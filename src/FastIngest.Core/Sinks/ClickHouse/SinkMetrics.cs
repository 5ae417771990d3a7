using System.Diagnostics.Metrics;
using System.Globalization;
using FastIngest.Core.Internal;
using FastIngest.Core.Sinks.Spool;

namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// The sink's numbers: what ClickHouse confirmed, the backlog, the spool, what was lost per tenant, and
/// the flush latency histogram (the one instrument that is recorded, once per confirmed round, rather than
/// observed: the sink records into it through <see cref="ClickHouseSink.FlushLatencyHistogram"/>).
/// </summary>
/// <remarks>
/// With <c>ClickHouse:Shards</c> (issue 19) each series is the shards' sum (the worst shard's for
/// <c>seconds_since_success</c>, <c>spool_full</c> and <c>oldest_unflushed_seconds</c>), so names and alert
/// rules keep their meaning, and <c>fastingest_clickhouse_shard_*{shard}</c> give each shard's own.
/// </remarks>
internal sealed class SinkMetrics(ShardedClickHouseSink sink) : IMetricsPublisher
{
    public void Publish(Meter meter)
    {
        meter.CreateObservableCounter("fastingest_clickhouse_rows_written_total", () => sink.RowsWritten, description: "Rows ClickHouse confirmed.");
        meter.CreateObservableCounter("fastingest_clickhouse_lines_written_total", () => sink.LinesWritten, description: "Counted lines whose counters ClickHouse confirmed.");
        meter.CreateObservableCounter("fastingest_clickhouse_insert_failures_total", () => sink.InsertsFailed, description: "Failed ClickHouse inserts (each retried).");
        meter.CreateObservableGauge("fastingest_clickhouse_queued_batches", () => sink.QueuedBatches, description: "Flushed batches waiting for ClickHouse.");
        meter.CreateObservableGauge("fastingest_clickhouse_seconds_since_success", () => sink.SinceLastSuccess.TotalSeconds, unit: "s",
            description: "Seconds since ClickHouse last accepted a write.");
        sink.FlushLatencyHistogram = meter.CreateHistogram(
            "fastingest_flush_latency_seconds", unit: "s",
            description: "From a flush round's first batch to ClickHouse's confirmation of it (replays included).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets.UpperBoundsSeconds });
        meter.CreateObservableCounter("fastingest_clickhouse_duplicates_avoided_total", () => sink.DuplicatesAvoided,
            description: "Inserts found in insert_ledger before a retry, so not sent twice.");
        meter.CreateObservableCounter("fastingest_clickhouse_partial_inserts_total", () => sink.PartialInserts, description: "Inserts ClickHouse applied only in part (see the log).");
        meter.CreateObservableGauge("fastingest_spool_bytes", () => SpoolSum(static s => s.Bytes), unit: "By", description: "Bytes of the spool's segment files.");
        // The cap as a series of its own, so an alert compares spool_bytes with what this server is configured to hold.
        meter.CreateObservableGauge("fastingest_spool_max_bytes", () => SpoolSum(static s => s.MaxBytes), unit: "By", description: "The spool's cap (Spool:MaxBytes): past it, rounds ClickHouse cannot take are dropped.");
        meter.CreateObservableGauge("fastingest_spool_segments", () => SpoolSum(static s => s.Segments), description: "Spool segment files.");
        meter.CreateObservableGauge("fastingest_spool_records", () => sink.SpoolRecords, description: "Flush rounds waiting in the spool.");
        meter.CreateObservableCounter("fastingest_spool_records_written_total", () => sink.RoundsSpooled, description: "Flush rounds written to the spool.");
        meter.CreateObservableCounter("fastingest_spool_records_replayed_total", () => sink.RoundsReplayed, description: "Spooled rounds ClickHouse has since confirmed.");
        meter.CreateObservableCounter("fastingest_spool_torn_records_total", () => SpoolSum(static s => s.TornRecords), description: "Spool records found torn or damaged, skipped.");
        meter.CreateObservableGauge("fastingest_spool_full", () => sink.Dropping ? 1 : 0,
            description: "1 while writes are dropped for want of spool room: the spool at its cap, or the disk refusing its writes.");
        meter.CreateObservableCounter("fastingest_spool_disk_faults_total", () => sink.SpoolDiskFaults,
            description: "Spool writes the file system refused (ENOSPC, EIO, ...); each dropped its round.");
        meter.CreateObservableGauge("fastingest_oldest_unflushed_seconds",
            () => sink.OldestSpooled is { } oldest ? (DateTimeOffset.UtcNow - oldest).TotalSeconds : 0, unit: "s",
            description: "Age of the oldest round waiting in the spool (0 when empty): how far behind ClickHouse is.");
        meter.CreateObservableCounter("fastingest_spool_dropped_rounds_total", () => sink.RoundsDropped,
            description: "Flush rounds lost: ClickHouse could not take them and the spool was full or its disk refused the write.");
        meter.CreateObservableCounter("fastingest_rounds_quarantined_total", () => sink.RoundsQuarantined,
            description: "Rounds ClickHouse refused for good (by error code), moved to the spool's quarantine folder so the rounds behind them go on.");
        meter.CreateObservableGauge("fastingest_quarantined_rounds", () => sink.QuarantineScan().Rounds,
            description: "Rounds in the quarantine folder now, waiting for `FastIngest.Server spool retry` once the cause is fixed.");
        meter.CreateObservableGauge("fastingest_quarantined_bytes", () => sink.QuarantineScan().Bytes, unit: "By",
            description: "Bytes of the rounds in the quarantine folder.");
        meter.CreateObservableCounter("fastingest_spool_dropped_total", DroppedByTenant,
            description: "Lines, pixel hits and events lost to a full spool or a disk fault, per tenant.");
        // A cluster: several shards, or one shard of several replicas (whose failovers an operator watches).
        if (sink.Shards.Count > 1 || sink.Shards[0].HasReplicas)
        {
            PublishShards(meter);
        }
    }

    /// <summary>Each shard's own backlog and progress, labelled <c>shard</c> (0, 1, …).</summary>
    private void PublishShards(Meter meter)
    {
        meter.CreateObservableGauge("fastingest_clickhouse_shard_spool_records", () => PerShard(static s => s.Spool.Records), description: "Flush rounds waiting in a ClickHouse shard's spool.");
        meter.CreateObservableGauge("fastingest_clickhouse_shard_spool_bytes", () => PerShard(static s => s.Spool.Bytes), unit: "By", description: "Bytes of a ClickHouse shard's spool.");
        meter.CreateObservableGauge("fastingest_clickhouse_shard_queued_batches", () => PerShard(static s => s.QueuedBatches), description: "Flushed batches waiting for a ClickHouse shard.");
        meter.CreateObservableGauge("fastingest_clickhouse_shard_seconds_since_success", () => PerShard(static s => s.SinceLastSuccess.TotalSeconds), unit: "s",
            description: "Seconds since a ClickHouse shard last accepted a write.");
        meter.CreateObservableCounter("fastingest_clickhouse_shard_lines_written_total", () => PerShard(static s => s.LinesWritten), description: "Counted lines whose counters a ClickHouse shard confirmed.");
        meter.CreateObservableCounter("fastingest_clickhouse_shard_spool_records_written_total", () => PerShard(static s => s.RoundsSpooled), description: "Flush rounds written to a ClickHouse shard's spool.");
        meter.CreateObservableGauge("fastingest_clickhouse_shard_replica", () => PerShard(static s => s.CurrentReplica),
            description: "The replica a ClickHouse shard's writes go to now: its index in ClickHouse:Shards:{i}:Replicas, from 0.");
        meter.CreateObservableCounter("fastingest_clickhouse_shard_replica_failovers_total", () => PerShard(static s => s.ReplicaFailovers),
            description: "Times a ClickHouse shard's writes moved to its next replica after a connection failure.");
    }

    private List<Measurement<T>> PerShard<T>(Func<ClickHouseSink, T> value)
        where T : struct
    {
        var measurements = new List<Measurement<T>>(sink.Shards.Count);
        for (int i = 0; i < sink.Shards.Count; i++)
        {
            measurements.Add(new Measurement<T>(value(sink.Shards[i]), new KeyValuePair<string, object?>("shard", i.ToString(CultureInfo.InvariantCulture))));
        }

        return measurements;
    }

    private long SpoolSum(Func<DiskSpool, long> value)
    {
        long sum = 0;
        foreach (ClickHouseSink shard in sink.Shards)
        {
            sum += value(shard.Spool);
        }

        return sum;
    }

    private List<Measurement<long>> DroppedByTenant()
    {
        var measurements = new List<Measurement<long>>();
        foreach ((string tenant, long count) in sink.DroppedByTenant)
        {
            measurements.Add(new Measurement<long>(count, new KeyValuePair<string, object?>("tenant", tenant)));
        }

        return measurements;
    }
}

using System.Diagnostics.Metrics;
using FastIngest.Core.Internal;

namespace FastIngest.Server.Operations;

/// <summary>What retention did: partitions and rows dropped per table, TTLs set, passes that failed.</summary>
internal sealed class RetentionMetrics(RetentionService retention) : IMetricsPublisher
{
    public void Publish(Meter meter)
    {
        meter.CreateObservableCounter("fastingest_retention_partitions_dropped_total", () => PerTable(retention.PartitionsDropped),
            description: "Expired partitions dropped (ALTER TABLE … DROP PARTITION), per table: on servers without TTL, and insert_ledger's months on all.");
        meter.CreateObservableCounter("fastingest_retention_rows_dropped_total", () => PerTable(retention.RowsDropped),
            description: "Rows in the expired partitions dropped, per table.");
        meter.CreateObservableCounter("fastingest_retention_ttl_changes_total", () => retention.TtlChanges,
            description: "Table TTLs set or removed because the configured retention differed from the table's.");
        meter.CreateObservableCounter("fastingest_retention_runs_total", () => retention.Runs,
            description: "Retention passes run to their end (one at start, then one per Retention:Interval).");
        meter.CreateObservableCounter("fastingest_retention_failures_total", () => retention.Failures,
            description: "Retention passes that failed (ClickHouse away or refusing); each is tried again within a minute.");
    }

    // The label set is the tables of FastIngest's database: bounded by the schema and the operator, not by senders.
    private static List<Measurement<long>> PerTable(IReadOnlyDictionary<string, long> counts)
    {
        var measurements = new List<Measurement<long>>(counts.Count);
        foreach ((string table, long count) in counts)
        {
            measurements.Add(new Measurement<long>(count, new KeyValuePair<string, object?>("table", table)));
        }

        return measurements;
    }
}

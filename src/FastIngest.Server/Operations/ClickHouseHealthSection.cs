using System.Text.Json;
using FastIngest.Core.Sinks.ClickHouse;
using FastIngest.Server.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FastIngest.Server.Operations;

/// <summary>
/// <c>clickhouse</c> (what <see cref="ClickHouseHealthCheck"/> found, and the sink's counters) and
/// <c>spool</c> (with its <c>quarantine</c>) of the <c>/health</c> body; with <c>ClickHouse:Shards</c>
/// (issue 19) a <c>shards</c> array instead of <c>spool</c>, each shard with its own <c>spool</c>.
/// </summary>
internal sealed class ClickHouseHealthSection(ShardedClickHouseSink sink) : IHealthSection
{
    public void Write(Utf8JsonWriter json, HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(report);
        bool reachable = report.Entries.TryGetValue("clickhouse", out HealthReportEntry entry) && entry.Data.TryGetValue("reachable", out object? r) && r is true;
        json.WriteStartObject("clickhouse");
        json.WriteBoolean("reachable", reachable);
        json.WriteString("detail", entry.Description);
        json.WriteNumber("queued_batches", sink.QueuedBatches);
        json.WriteNumber("lines_written", sink.LinesWritten);
        json.WriteNumber("pixel_hits_written", sink.PixelHitsWritten);
        json.WriteNumber("events_written", sink.EventsWritten);
        json.WriteNumber("rows_written", sink.RowsWritten);
        json.WriteNumber("inserts_failed", sink.InsertsFailed);
        json.WriteNumber("seconds_since_success", Math.Round(sink.SinceLastSuccess.TotalSeconds, 1));
        json.WriteEndObject();
        if (sink.Shards.Count == 1)
        {
            WriteSpool(json, sink.Shards[0]);
            return;
        }

        // A cluster (issue 19): every shard's sink with its spool and quarantine, by shard index.
        json.WriteStartArray("shards");
        for (int i = 0; i < sink.Shards.Count; i++)
        {
            ClickHouseSink shard = sink.Shards[i];
            json.WriteStartObject();
            json.WriteNumber("shard", i);
            json.WriteNumber("queued_batches", shard.QueuedBatches);
            json.WriteNumber("lines_written", shard.LinesWritten);
            json.WriteNumber("inserts_failed", shard.InsertsFailed);
            json.WriteNumber("seconds_since_success", Math.Round(shard.SinceLastSuccess.TotalSeconds, 1));
            WriteSpool(json, shard);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteSpool(Utf8JsonWriter json, ClickHouseSink sink)
    {
        json.WriteStartObject("spool");
        json.WriteString("directory", sink.Spool.Directory);
        json.WriteNumber("records", sink.Spool.Records);
        json.WriteNumber("bytes", sink.Spool.Bytes);
        json.WriteBoolean("full", sink.Dropping);
        WriteStringOrNull(json, "disk_error", sink.SpoolDiskFault);

        json.WriteNumber("disk_faults", sink.SpoolDiskFaults);
        json.WriteNumber("rounds_dropped", sink.RoundsDropped);
        json.WriteNumber("torn_records", sink.Spool.TornRecords);
        (int rounds, long bytes) = sink.Quarantine.Scan();
        json.WriteStartObject("quarantine");
        json.WriteString("directory", sink.Quarantine.Directory);
        json.WriteNumber("rounds", rounds);
        json.WriteNumber("bytes", bytes);
        json.WriteNumber("quarantined_total", sink.RoundsQuarantined);
        WriteStringOrNull(json, "last_error", sink.LastQuarantined);
        WriteStringOrNull(json, "disk_error", sink.QuarantineFault);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}

using System.Text.Json;
using FastIngest.Core.Sinks.ClickHouse;
using FastIngest.Server.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FastIngest.Server.Operations;

/// <summary>
/// <c>clickhouse</c> (what <see cref="ClickHouseHealthCheck"/> found, and the sink's counters) and
/// <c>spool</c> of the <c>/health</c> body.
/// </summary>
internal sealed class ClickHouseHealthSection(ClickHouseSink sink) : IHealthSection
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
        json.WriteStartObject("spool");
        json.WriteString("directory", sink.Spool.Directory);
        json.WriteNumber("records", sink.Spool.Records);
        json.WriteNumber("bytes", sink.Spool.Bytes);
        json.WriteBoolean("full", sink.Dropping);
        if (sink.SpoolDiskFault is { } diskFault)
        {
            json.WriteString("disk_error", diskFault);
        }
        else
        {
            json.WriteNull("disk_error");
        }

        json.WriteNumber("disk_faults", sink.SpoolDiskFaults);
        json.WriteNumber("rounds_dropped", sink.RoundsDropped);
        json.WriteNumber("torn_records", sink.Spool.TornRecords);
        json.WriteEndObject();
    }
}

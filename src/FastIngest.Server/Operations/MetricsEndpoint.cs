using System.Globalization;
using System.Text;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;
using FastIngest.Core.Parsing;
using FastIngest.Core.Sinks.ClickHouse;
using FastIngest.Server.Pixel;
using FastIngest.Server.Syslog;

namespace FastIngest.Server.Operations;

/// <summary>
/// <c>GET /metrics</c> in the Prometheus text format, written straight from the counters the sources,
/// shards and sink already keep as plain fields. A metrics library would have kept a second copy of
/// every counter (or asked for callbacks that read these same fields); this writer is the callbacks.
/// </summary>
internal static class MetricsEndpoint
{
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/metrics", (IngestPipeline pipeline, ClickHouseSink sink, UdpSyslogReceiver udp, TcpSyslogConnectionHandler tcp, TrackingPixel pixel) =>
            Results.Text(Write(pipeline, sink, udp, tcp, pixel), "text/plain; version=0.0.4", Encoding.UTF8));
        return endpoints;
    }

    private static string Write(IngestPipeline pipeline, ClickHouseSink sink, UdpSyslogReceiver udp, TcpSyslogConnectionHandler tcp, TrackingPixel pixel)
    {
        var text = new StringBuilder(8192);
        Counter(text, "fastingest_udp_datagrams_total", "UDP syslog datagrams received.", udp.Datagrams);
        Counter(text, "fastingest_udp_bytes_total", "UDP syslog bytes received.", udp.Bytes);
        if (udp.LocalEndPoint is { } endPoint && KernelUdpDrops(endPoint.Port) is { } drops)
        {
            Counter(text, "fastingest_udp_kernel_drops_total", "Datagrams the kernel dropped on the syslog socket (/proc/net/udp).", drops);
        }

        Counter(text, "fastingest_tcp_connections_total", "TCP syslog connections accepted.", tcp.Connections);
        Counter(text, "fastingest_tcp_connections_refused_total", "TCP syslog connections refused past TcpMaxConnections.", tcp.Refused);
        Gauge(text, "fastingest_tcp_open_connections", "TCP syslog connections open.", tcp.OpenConnections);
        Counter(text, "fastingest_tcp_messages_total", "TCP syslog frames read.", tcp.Messages);
        Counter(text, "fastingest_pixel_requests_total", "Pixel requests served.", pixel.Hits);
        Counter(text, "fastingest_pixel_rejected_total", "Pixel requests refused (bad or unknown names).", pixel.Rejected);

        Header(text, "fastingest_lines_counted_total", "counter", "Access-log lines counted, per shard.");
        foreach (Shard shard in pipeline.Shards)
        {
            Sample(text, "fastingest_lines_counted_total", $"shard=\"{shard.Id}\"", shard.LinesCounted);
        }

        Header(text, "fastingest_events_counted_total", "counter", "Analytics events counted, per shard.");
        foreach (Shard shard in pipeline.Shards)
        {
            Sample(text, "fastingest_events_counted_total", $"shard=\"{shard.Id}\"", shard.EventsCounted);
        }

        Header(text, "fastingest_rejected_total", "counter", "Refused input, by source and reason (details in fastingest.ingest_errors).");
        for (int s = 0; s < IngestSources.Count; s++)
        {
            for (int r = 1; r < RejectReasons.Count; r++)
            {
                long count = pipeline.Shards.Sum(shard => shard.RejectsOf((IngestSource)s, (RejectReason)r));
                if (count > 0)
                {
                    Sample(text, "fastingest_rejected_total", $"source=\"{IngestSources.Name((IngestSource)s)}\",reason=\"{RejectReasons.Name((RejectReason)r)}\"", count);
                }
            }
        }

        Header(text, "fastingest_shard_queue_depth", "gauge", "Batches waiting in each shard's channel.");
        foreach (Shard shard in pipeline.Shards)
        {
            Sample(text, "fastingest_shard_queue_depth", $"shard=\"{shard.Id}\"", shard.QueueDepth);
        }

        Header(text, "fastingest_folded_total", "counter", "Lines, hits and events counted under (other) past a cap, by what was folded.");
        Sample(text, "fastingest_folded_total", "kind=\"path\"", pipeline.Shards.Sum(s => s.PathsFolded));
        Sample(text, "fastingest_folded_total", "kind=\"pixel_key\"", pipeline.Shards.Sum(s => s.PixelKeysFolded));
        Sample(text, "fastingest_folded_total", "kind=\"event_type\"", pipeline.Shards.Sum(s => s.EventTypesFolded));
        Counter(text, "fastingest_clickhouse_rows_written_total", "Rows ClickHouse confirmed.", sink.RowsWritten);
        Counter(text, "fastingest_clickhouse_lines_written_total", "Counted lines whose counters ClickHouse confirmed.", sink.LinesWritten);
        Counter(text, "fastingest_clickhouse_insert_failures_total", "Failed ClickHouse inserts (each retried).", sink.InsertsFailed);
        Gauge(text, "fastingest_clickhouse_queued_batches", "Flushed batches waiting for ClickHouse.", sink.QueuedBatches);
        Gauge(text, "fastingest_clickhouse_seconds_since_success", "Seconds since ClickHouse last accepted a write.", sink.SinceLastSuccess.TotalSeconds);
        Histogram(text, "fastingest_flush_latency_seconds", "From a flush round's first batch to ClickHouse's confirmation of it (replays included).", sink.FlushLatency);
        Counter(text, "fastingest_clickhouse_duplicates_avoided_total", "Inserts found in insert_ledger before a retry, so not sent twice.", sink.DuplicatesAvoided);
        Counter(text, "fastingest_clickhouse_partial_inserts_total", "Inserts ClickHouse applied only in part (see the log).", sink.PartialInserts);
        Gauge(text, "fastingest_spool_bytes", "Bytes of the spool's segment files.", sink.Spool.Bytes);
        Gauge(text, "fastingest_spool_segments", "Spool segment files.", sink.Spool.Segments);
        Gauge(text, "fastingest_spool_records", "Flush rounds waiting in the spool.", sink.Spool.Records);
        Counter(text, "fastingest_spool_records_written_total", "Flush rounds written to the spool.", sink.RoundsSpooled);
        Counter(text, "fastingest_spool_records_replayed_total", "Spooled rounds ClickHouse has since confirmed.", sink.RoundsReplayed);
        Counter(text, "fastingest_spool_torn_records_total", "Spool records found torn or damaged, skipped.", sink.Spool.TornRecords);
        Gauge(text, "fastingest_spool_full", "1 while writes are dropped for want of spool room.", sink.SpoolFull ? 1 : 0);
        Gauge(text, "fastingest_oldest_unflushed_seconds", "Age of the oldest round waiting in the spool (0 when empty): how far behind ClickHouse is.",
            sink.Spool.Oldest is { } oldest ? (DateTimeOffset.UtcNow - oldest).TotalSeconds : 0);
        Counter(text, "fastingest_spool_dropped_rounds_total", "Flush rounds lost: ClickHouse could not take them and the spool was full.", sink.RoundsDropped);
        Header(text, "fastingest_spool_dropped_total", "counter", "Lines, pixel hits and events lost to a full spool, per tenant.");
        foreach ((string tenant, long count) in sink.DroppedByTenant)
        {
            Sample(text, "fastingest_spool_dropped_total", $"tenant=\"{Escape(tenant)}\"", count);
        }
        Counter(text, "fastingest_gc_allocated_bytes_total", "Bytes allocated by the process.", GC.GetTotalAllocatedBytes());
        Header(text, "fastingest_gc_collections_total", "counter", "Garbage collections by generation.");
        for (int generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            Sample(text, "fastingest_gc_collections_total", $"generation=\"{generation}\"", GC.CollectionCount(generation));
        }

        Gauge(text, "fastingest_gc_heap_bytes", "Managed heap size.", GC.GetTotalMemory(forceFullCollection: false));
        return text.ToString();
    }

    /// <summary>The <c>drops</c> column of the socket bound to <paramref name="port"/>; null off Linux.</summary>
    private static long? KernelUdpDrops(int port)
    {
        foreach (string file in new[] { "/proc/net/udp", "/proc/net/udp6" })
        {
            if (!File.Exists(file))
            {
                continue;
            }

            string hexPort = ":" + port.ToString("X4", CultureInfo.InvariantCulture);
            foreach (string line in File.ReadLines(file).Skip(1))
            {
                string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 12 && fields[1].EndsWith(hexPort, StringComparison.Ordinal))
                {
                    return long.Parse(fields[^1], CultureInfo.InvariantCulture);
                }
            }
        }

        return null;
    }

    private static void Counter(StringBuilder text, string name, string help, double value)
    {
        Header(text, name, "counter", help);
        Sample(text, name, "", value);
    }

    private static void Gauge(StringBuilder text, string name, string help, double value)
    {
        Header(text, name, "gauge", help);
        Sample(text, name, "", value);
    }

    private static void Histogram(StringBuilder text, string name, string help, LatencyBuckets histogram)
    {
        Header(text, name, "histogram", help);
        for (int i = 0; i < LatencyBuckets.UpperBoundsSeconds.Length; i++)
        {
            Sample(text, name + "_bucket", "le=\"" + LatencyBuckets.UpperBoundsSeconds[i].ToString("R", CultureInfo.InvariantCulture) + "\"", histogram.Cumulative(i));
        }

        Sample(text, name + "_bucket", "le=\"+Inf\"", histogram.Count);
        Sample(text, name + "_sum", "", histogram.SumSeconds);
        Sample(text, name + "_count", "", histogram.Count);
    }

    /// <summary>A label value: tenants are restricted names, but a metric line must never break.</summary>
    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static void Header(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder text, string name, string labels, double value)
    {
        text.Append(name);
        if (labels.Length > 0)
        {
            text.Append('{').Append(labels).Append('}');
        }

        text.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
    }
}

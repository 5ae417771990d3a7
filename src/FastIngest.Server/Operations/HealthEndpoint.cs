using System.Text;
using System.Text.Json;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Sinks.ClickHouse;
using FastIngest.Server.Pixel;
using FastIngest.Server.Syslog;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FastIngest.Server.Operations;

/// <summary>
/// <c>GET /health</c>, ASP.NET Core health checks (<see cref="ClickHouseHealthCheck"/>): 200 while healthy
/// or degraded, 503 when unhealthy. The body adds what an operator looks at next: ClickHouse's
/// reachability and backlog, each source's counters and each shard's queue depth.
/// </summary>
internal static class HealthEndpoint
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteAsync });
        return endpoints;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        IServiceProvider services = context.RequestServices;
        IngestPipeline pipeline = services.GetRequiredService<IngestPipeline>();
        ClickHouseSink sink = services.GetRequiredService<ClickHouseSink>();
        UdpSyslogReceiver udp = services.GetRequiredService<UdpSyslogReceiver>();
        TcpSyslogConnectionHandler tcp = services.GetRequiredService<TcpSyslogConnectionHandler>();
        TrackingPixel pixel = services.GetRequiredService<TrackingPixel>();
        bool reachable = report.Entries.TryGetValue("clickhouse", out HealthReportEntry entry) && entry.Data.TryGetValue("reachable", out object? r) && r is true;
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("status", report.Status.ToString().ToLowerInvariant());
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
            json.WriteBoolean("full", sink.SpoolFull);
            json.WriteNumber("rounds_dropped", sink.RoundsDropped);
            json.WriteNumber("torn_records", sink.Spool.TornRecords);
            json.WriteEndObject();
            json.WriteStartObject("udp");
            json.WriteNumber("datagrams", udp.Datagrams);
            json.WriteNumber("bytes", udp.Bytes);
            json.WriteEndObject();
            json.WriteStartObject("tcp");
            json.WriteNumber("open_connections", tcp.OpenConnections);
            json.WriteNumber("connections", tcp.Connections);
            json.WriteNumber("refused", tcp.Refused);
            json.WriteNumber("messages", tcp.Messages);
            json.WriteNumber("too_large", tcp.TooLarge);
            json.WriteEndObject();
            json.WriteStartObject("pixel");
            json.WriteNumber("hits", pixel.Hits);
            json.WriteNumber("rejected", pixel.Rejected);
            json.WriteEndObject();
            json.WriteStartArray("shards");
            foreach (Shard shard in pipeline.Shards)
            {
                json.WriteStartObject();
                json.WriteNumber("id", shard.Id);
                json.WriteNumber("queue_depth", shard.QueueDepth);
                json.WriteNumber("tenants", shard.TenantCount);
                json.WriteNumber("lines_counted", shard.LinesCounted);
                json.WriteNumber("rejected", shard.Rejected);
                json.WriteNumber("pixel_hits_counted", shard.PixelHits);
                json.WriteNumber("pixel_keys_folded", shard.PixelKeysFolded);
                json.WriteNumber("events_counted", shard.EventsCounted);
                json.WriteNumber("events_folded", shard.EventsFolded);
                json.WriteNumber("paths_folded", shard.PathsFolded);
                json.WriteNumber("event_types_folded", shard.EventTypesFolded);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(Encoding.UTF8.GetString(stream.ToArray()));
    }
}

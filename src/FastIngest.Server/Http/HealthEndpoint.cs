using System.Text;
using System.Text.Json;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Sinks.ClickHouse;
using FastIngest.Server.Pixel;
using FastIngest.Server.Syslog;

namespace FastIngest.Server.Http;

/// <summary>
/// <c>GET /health</c>: 200 while ClickHouse takes inserts, 503 once it has failed for longer than
/// <see cref="UnhealthyAfter"/> with batches queued; the body shows queue depths and counts.
/// </summary>
internal static class HealthEndpoint
{
    public static readonly TimeSpan UnhealthyAfter = TimeSpan.FromSeconds(30);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health", (IngestPipeline pipeline, ClickHouseSink sink, UdpSyslogReceiver udp, TcpSyslogConnectionHandler tcp, TrackingPixel pixel) =>
        {
            bool clickHouseBehind = sink.QueuedBatches > 0 && sink.SinceLastSuccess > UnhealthyAfter;
            using var stream = new MemoryStream();
            using (var json = new Utf8JsonWriter(stream))
            {
                json.WriteStartObject();
                json.WriteString("status", clickHouseBehind ? "unhealthy" : "healthy");
                json.WriteStartObject("clickhouse");
                json.WriteNumber("queued_batches", sink.QueuedBatches);
                json.WriteNumber("lines_written", sink.LinesWritten);
                json.WriteNumber("pixel_hits_written", sink.PixelHitsWritten);
                json.WriteNumber("rows_written", sink.RowsWritten);
                json.WriteNumber("inserts_failed", sink.InsertsFailed);
                json.WriteNumber("seconds_since_success", Math.Round(sink.SinceLastSuccess.TotalSeconds, 1));
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
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            return Results.Text(Encoding.UTF8.GetString(stream.ToArray()), "application/json", Encoding.UTF8, clickHouseBehind ? 503 : 200);
        });
        return endpoints;
    }
}

using System.Text.Json;
using FastIngest.Core.Aggregation;
using FastIngest.Server.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FastIngest.Server.Operations;

/// <summary><c>shards</c> of the <c>/health</c> body: each shard's queue depth, tenants and counts.</summary>
internal sealed class ShardHealthSection(IngestPipeline pipeline) : IHealthSection
{
    public void Write(Utf8JsonWriter json, HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(json);
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
    }
}

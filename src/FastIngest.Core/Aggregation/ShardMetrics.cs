using System.Diagnostics.Metrics;
using FastIngest.Core.Ingest;
using FastIngest.Core.Internal;
using FastIngest.Core.Parsing;

namespace FastIngest.Core.Aggregation;

/// <summary>
/// The shards' numbers: what each counted (tag <c>shard</c>), what all refused (tags <c>source</c>,
/// <c>reason</c>), what was folded under <c>(other)</c> (tag <c>kind</c>) and each channel's depth.
/// Tags are made once here, so a collection boxes nothing per shard.
/// </summary>
internal sealed class ShardMetrics(IngestPipeline pipeline) : IMetricsPublisher
{
    public void Publish(Meter meter)
    {
        IReadOnlyList<Shard> shards = pipeline.Shards;
        var shardTags = new KeyValuePair<string, object?>[shards.Count];
        for (int i = 0; i < shards.Count; i++)
        {
            shardTags[i] = new("shard", shards[i].Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        meter.CreateObservableCounter("fastingest_lines_counted_total", () => PerShard(shards, shardTags, static s => s.LinesCounted),
            description: "Access-log lines counted, per shard.");
        meter.CreateObservableCounter("fastingest_events_counted_total", () => PerShard(shards, shardTags, static s => s.EventsCounted),
            description: "Analytics events counted, per shard.");
        meter.CreateObservableCounter("fastingest_rejected_total", () => Rejects(shards),
            description: "Refused input, by source and reason (details in fastingest.ingest_errors).");
        meter.CreateObservableGauge("fastingest_shard_queue_depth", () => PerShard(shards, shardTags, static s => s.QueueDepth),
            description: "Batches waiting in each shard's channel.");
        meter.CreateObservableCounter("fastingest_folded_total", () => Folded(shards),
            description: "Lines, hits and events counted under (other) past a cap, by what was folded.");
        // Its own family, not a kind of folded_total: a cut name still counts under (most of) its own
        // name, not under (other), and one line can be both cut and folded.
        meter.CreateObservableCounter("fastingest_names_truncated_total", () => Truncated(shards),
            description: "Lines, hits and events whose name was cut to MaxNameBytes, by what was cut.");
        meter.CreateObservableGauge("fastingest_name_table_bytes", () => PerShard(shards, shardTags, static s => s.NameBytes),
            description: "Bytes each shard's path, pixel key and event type tables hold (MaxNameBytesPerShard bounds it), as of its last flush.");
        meter.CreateObservableGauge("fastingest_tenants", () => PerShard(shards, shardTags, static s => s.TenantCount),
            description: "Tenants each shard holds now, configured ones included (MaxTenants, split over the shards, bounds the others).");
        meter.CreateObservableCounter("fastingest_tenants_forgotten_total", () => PerShard(shards, shardTags, static s => s.TenantsForgotten),
            description: "Tenants each shard forgot after TenantIdleTimeout without a message (their rows were written before).");
        meter.CreateObservableCounter("fastingest_raw_rows_total", () => PerShard(shards, shardTags, static s => s.RawRowsKept),
            description: "requests_raw rows each shard handed to the sink (opted-in tenants only, RawRows:Tenants).");
        meter.CreateObservableCounter("fastingest_raw_rows_dropped_total", () => PerShard(shards, shardTags, static s => s.RawRowsDropped),
            description: "Requests of opted-in tenants past RawRows:MaxRowsPerFlush in an interval: counted everywhere else, without a requests_raw row.");
    }

    private static Measurement<long>[] Truncated(IReadOnlyList<Shard> shards)
    {
        long paths = 0, pixelKeys = 0, eventTypes = 0, tenants = 0;
        foreach (Shard shard in shards)
        {
            paths += shard.PathsTruncated;
            pixelKeys += shard.PixelKeysTruncated;
            eventTypes += shard.EventTypesTruncated;
            tenants += shard.TenantsTruncated;
        }

        return
        [
            new Measurement<long>(paths, new KeyValuePair<string, object?>("kind", "path")),
            new Measurement<long>(pixelKeys, new KeyValuePair<string, object?>("kind", "pixel_key")),
            new Measurement<long>(eventTypes, new KeyValuePair<string, object?>("kind", "event_type")),
            new Measurement<long>(tenants, new KeyValuePair<string, object?>("kind", "tenant")),
        ];
    }

    private static Measurement<long>[] PerShard(IReadOnlyList<Shard> shards, KeyValuePair<string, object?>[] tags, Func<Shard, long> read)
    {
        var measurements = new Measurement<long>[shards.Count];
        for (int i = 0; i < shards.Count; i++)
        {
            measurements[i] = new Measurement<long>(read(shards[i]), tags[i]);
        }

        return measurements;
    }

    /// <summary>Only the (source, reason) pairs seen so far, summed over the shards.</summary>
    private static List<Measurement<long>> Rejects(IReadOnlyList<Shard> shards)
    {
        var measurements = new List<Measurement<long>>();
        for (int s = 0; s < IngestSources.Count; s++)
        {
            for (int r = 1; r < RejectReasons.Count; r++)
            {
                long count = 0;
                foreach (Shard shard in shards)
                {
                    count += shard.RejectsOf((IngestSource)s, (RejectReason)r);
                }

                if (count > 0)
                {
                    measurements.Add(new Measurement<long>(count,
                        new KeyValuePair<string, object?>("source", IngestSources.Name((IngestSource)s)),
                        new KeyValuePair<string, object?>("reason", RejectReasons.Name((RejectReason)r))));
                }
            }
        }

        return measurements;
    }

    private static Measurement<long>[] Folded(IReadOnlyList<Shard> shards)
    {
        long paths = 0, pixelKeys = 0, eventTypes = 0, referrers = 0;
        foreach (Shard shard in shards)
        {
            paths += shard.PathsFolded;
            pixelKeys += shard.PixelKeysFolded;
            eventTypes += shard.EventTypesFolded;
            referrers += shard.ReferrersFolded;
        }

        return
        [
            new Measurement<long>(paths, new KeyValuePair<string, object?>("kind", "path")),
            new Measurement<long>(pixelKeys, new KeyValuePair<string, object?>("kind", "pixel_key")),
            new Measurement<long>(eventTypes, new KeyValuePair<string, object?>("kind", "event_type")),
            new Measurement<long>(referrers, new KeyValuePair<string, object?>("kind", "referrer")),
        ];
    }
}

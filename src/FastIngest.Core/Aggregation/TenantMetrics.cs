using System.Diagnostics.Metrics;
using FastIngest.Core.Aggregation.Aggregates;
using FastIngest.Core.Internal;
using FastIngest.Core.Parsing;

namespace FastIngest.Core.Aggregation;

/// <summary>
/// The opted-in tenants' requests by status class (<c>fastingest_tenant_requests_total{tenant,class}</c>)
/// and by cache status (<c>fastingest_tenant_cache_total{tenant,status}</c>), summed over the shards at a
/// scrape. Every listed tenant has every series from the start (zeros included): a rate() has a first point.
/// </summary>
internal sealed class TenantMetrics(IngestPipeline pipeline, TenantMetricsOptions options) : IMetricsPublisher
{
    private static readonly string[] s_classes = ["1xx", "2xx", "3xx", "4xx", "5xx"];

    private static readonly string[] s_caches = ["none", "hit", "miss", "expired", "stale", "updating", "revalidated", "bypass", "other"];

    public void Publish(Meter meter)
    {
        IList<string> tenants = options.TenantLabels;
        if (tenants.Count == 0)
        {
            return;
        }

        // Tags made once: a scrape boxes nothing per series.
        var classTags = new KeyValuePair<string, object?>[tenants.Count * TenantRequestCounters.StatusClasses][];
        var cacheTags = new KeyValuePair<string, object?>[tenants.Count * TenantRequestCounters.CacheStatuses][];
        for (int t = 0; t < tenants.Count; t++)
        {
            for (int c = 0; c < TenantRequestCounters.StatusClasses; c++)
            {
                classTags[(t * TenantRequestCounters.StatusClasses) + c] = [new("tenant", tenants[t]), new("class", s_classes[c])];
            }

            for (int c = 0; c < TenantRequestCounters.CacheStatuses; c++)
            {
                cacheTags[(t * TenantRequestCounters.CacheStatuses) + c] = [new("tenant", tenants[t]), new("status", s_caches[c])];
            }
        }

        meter.CreateObservableCounter("fastingest_tenant_requests_total", () => Statuses(tenants.Count, classTags),
            description: "Access-log requests of the tenants listed in FastIngest:Metrics:TenantLabels, by status class.");
        meter.CreateObservableCounter("fastingest_tenant_cache_total", () => Caches(tenants.Count, cacheTags),
            description: "Access-log requests of the tenants listed in FastIngest:Metrics:TenantLabels, by $upstream_cache_status (none: no cache).");
    }

    private Measurement<long>[] Statuses(int tenants, KeyValuePair<string, object?>[][] tags)
    {
        var measurements = new Measurement<long>[tags.Length];
        for (int t = 0; t < tenants; t++)
        {
            for (int c = 0; c < TenantRequestCounters.StatusClasses; c++)
            {
                long sum = 0;
                foreach (Shard shard in pipeline.Shards)
                {
                    sum += shard.TenantCounters?.Requests(t, c) ?? 0;
                }

                int i = (t * TenantRequestCounters.StatusClasses) + c;
                measurements[i] = new Measurement<long>(sum, tags[i]);
            }
        }

        return measurements;
    }

    private Measurement<long>[] Caches(int tenants, KeyValuePair<string, object?>[][] tags)
    {
        var measurements = new Measurement<long>[tags.Length];
        for (int t = 0; t < tenants; t++)
        {
            for (int c = 0; c < TenantRequestCounters.CacheStatuses; c++)
            {
                long sum = 0;
                foreach (Shard shard in pipeline.Shards)
                {
                    sum += shard.TenantCounters?.Cache(t, (CacheStatus)c) ?? 0;
                }

                int i = (t * TenantRequestCounters.CacheStatuses) + c;
                measurements[i] = new Measurement<long>(sum, tags[i]);
            }
        }

        return measurements;
    }
}

-- Cache hit ratio per tenant and hour: HIT (and stale/updating/revalidated answers served from cache)
-- over every request that went through a cache. The last 24 whole hours and the current one, from traffic_1h.
SELECT
    tenant,
    hour,
    sum(cache_hit) AS hits,
    sum(cache_miss + cache_expired + cache_bypass) AS misses,
    round(sum(cache_hit + cache_stale + cache_updating + cache_revalidated)
        / greatest(sum(cache_hit + cache_miss + cache_expired + cache_stale + cache_updating + cache_revalidated + cache_bypass), 1), 4) AS hit_ratio
FROM fastingest.traffic_1h
WHERE hour >= toStartOfHour(now()) - INTERVAL 24 HOUR
GROUP BY tenant, hour
ORDER BY tenant, hour

-- Cache hit ratio per tenant and hour: HIT (and stale/updating/revalidated answers served from cache)
-- over every request that went through a cache.
SELECT
    tenant,
    toStartOfHour(minute) AS hour,
    sum(cache_hit) AS hits,
    sum(cache_miss + cache_expired + cache_bypass) AS misses,
    round(sum(cache_hit + cache_stale + cache_updating + cache_revalidated)
        / greatest(sum(cache_hit + cache_miss + cache_expired + cache_stale + cache_updating + cache_revalidated + cache_bypass), 1), 4) AS hit_ratio
FROM fastingest.traffic_1m
WHERE minute >= now() - INTERVAL 1 DAY
GROUP BY tenant, hour
ORDER BY tenant, hour

-- The 20 most downloaded files (paths) per tenant over the last 7 UTC days and today, with their bytes,
-- cache hits and misses and when they were last requested. paths_1d (per day; paths_1h per hour) holds
-- aggregate states: read with -Merge.
SELECT
    tenant,
    path,
    sumMerge(requests) AS downloads,
    sumMerge(body_bytes_sent) AS bytes,
    sumMerge(cache_hit) AS hits,
    sumMerge(cache_miss) AS misses,
    maxMerge(last_hit) AS last_hit_at
FROM fastingest.paths_1d
WHERE day >= today() - 7
GROUP BY tenant, path
ORDER BY tenant, downloads DESC, path
LIMIT 20 BY tenant

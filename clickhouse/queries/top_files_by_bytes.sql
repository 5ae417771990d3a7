-- The 20 files (paths) per tenant that sent the most bytes over the last 7 UTC days and today (body bytes: the
-- combined log format has no $bytes_sent), with downloads, cache hits and misses and last hit.
SELECT
    tenant,
    path,
    sumMerge(body_bytes_sent) AS bytes,
    sumMerge(requests) AS downloads,
    sumMerge(cache_hit) AS hits,
    sumMerge(cache_miss) AS misses,
    maxMerge(last_hit) AS last_hit_at
FROM fastingest.paths_1d
WHERE day >= today() - 7
GROUP BY tenant, path
ORDER BY tenant, bytes DESC, path
LIMIT 20 BY tenant

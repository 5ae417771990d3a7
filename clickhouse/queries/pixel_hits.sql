-- Tracking-pixel hits per tenant and key over the last 24 hours: FastIngest's own /p/{tenant}/{key}.gif
-- and NGINX-served pixels alike.
SELECT
    tenant,
    key,
    sum(hits) AS total_hits,
    max(minute) AS last_hit_minute
FROM fastingest.pixel_1m
WHERE minute >= now() - INTERVAL 1 DAY
GROUP BY tenant, key
ORDER BY total_hits DESC
LIMIT 100

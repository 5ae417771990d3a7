-- Unique visitors per pixel key per UTC day, over the last 7 days.
SELECT
    tenant,
    key,
    day,
    uniqMerge(visitors) AS unique_visitors
FROM fastingest.visitors_1d
WHERE day >= today() - 7 AND key != ''
GROUP BY tenant, key, day
ORDER BY tenant, key, day

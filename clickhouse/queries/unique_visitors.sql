-- Unique visitors per tenant per UTC day, over the last 7 days: every NGINX line and every pixel hit
-- (key '' is a tenant's whole NGINX traffic, other keys its pixels; uniqMerge unites them, so a
-- visitor seen on both counts once). Visitors who sent DNT: 1 or Sec-GPC: 1 are not in here.
-- Exact up to 65,536 visitors per tenant and day, within about 2% above.
SELECT
    tenant,
    day,
    uniqMerge(visitors) AS unique_visitors
FROM fastingest.visitors_1d
WHERE day >= today() - 7
GROUP BY tenant, day
ORDER BY tenant, day

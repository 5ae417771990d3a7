-- Exact status codes per tenant over the last 24 hours.
SELECT
    tenant,
    status,
    sum(requests) AS total_requests
FROM fastingest.status_1m
WHERE minute >= now() - INTERVAL 1 DAY
GROUP BY tenant, status
ORDER BY tenant, total_requests DESC

-- Exact status codes per tenant over the last 24 hours (whole hours, and the current one so far).
SELECT
    tenant,
    status,
    sum(requests) AS total_requests
FROM fastingest.status_1h
WHERE hour >= toStartOfHour(now()) - INTERVAL 24 HOUR
GROUP BY tenant, status
ORDER BY tenant, total_requests DESC

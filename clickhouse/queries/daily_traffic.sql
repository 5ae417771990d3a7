-- Requests, bandwidth and errors per tenant and UTC day over the last 90 days and today, from the day
-- rollup: one row per tenant and day instead of 1,440 minute rows (a year is 365 rows per tenant).
SELECT
    tenant,
    day,
    sum(requests) AS total_requests,
    sum(body_bytes_sent) AS total_body_bytes,
    sum(status_4xx) AS client_errors,
    sum(status_5xx) AS server_errors,
    round(sum(request_time_sum_ms) / greatest(sum(request_time_count), 1), 1) AS avg_ms
FROM fastingest.traffic_1d
WHERE day >= today() - 90
GROUP BY tenant, day
ORDER BY tenant, day

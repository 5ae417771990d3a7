-- Requests and bandwidth per tenant and hour over the last 24 hours. body_bytes_sent is there for
-- every source; bytes_sent (headers included) only for the JSON log format.
SELECT
    tenant,
    toStartOfHour(minute) AS hour,
    sum(requests) AS total_requests,
    sum(bytes_sent) AS total_bytes_sent,
    sum(body_bytes_sent) AS total_body_bytes
FROM fastingest.traffic_1m
WHERE minute >= now() - INTERVAL 1 DAY
GROUP BY tenant, hour
ORDER BY tenant, hour

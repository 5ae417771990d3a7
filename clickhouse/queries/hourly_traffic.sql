-- Requests and bandwidth per tenant and hour over the last 24 hours (whole hours, and the current one so far). body_bytes_sent is there for
-- every source; bytes_sent (headers included) only for the JSON log format.
SELECT
    tenant,
    hour,
    sum(requests) AS total_requests,
    sum(bytes_sent) AS total_bytes_sent,
    sum(body_bytes_sent) AS total_body_bytes
FROM fastingest.traffic_1h
WHERE hour >= toStartOfHour(now()) - INTERVAL 24 HOUR
GROUP BY tenant, hour
ORDER BY tenant, hour

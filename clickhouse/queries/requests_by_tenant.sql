-- Requests and bandwidth per tenant over the last 24 hours (whole hours, and the current one so far:
-- traffic_1h answers that exactly in a 60th of traffic_1m's rows).
-- Aliases never reuse a column name: ClickHouse 18.16 would resolve sum(bytes_sent) to the alias.
SELECT
    tenant,
    sum(requests) AS total_requests,
    sum(bytes_sent) AS total_bytes_sent,
    round(sum(bytes_sent) / 1048576, 1) AS mib_sent
FROM fastingest.traffic_1h
WHERE hour >= toStartOfHour(now()) - INTERVAL 24 HOUR
GROUP BY tenant
ORDER BY total_requests DESC

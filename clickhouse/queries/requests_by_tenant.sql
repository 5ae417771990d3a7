-- Requests and bandwidth per tenant over the last 24 hours.
SELECT
    tenant,
    sum(requests) AS requests,
    sum(bytes_sent) AS bytes_sent,
    round(sum(bytes_sent) / 1048576, 1) AS mib_sent
FROM fastingest.traffic_1m
WHERE minute >= now() - INTERVAL 1 DAY
GROUP BY tenant
ORDER BY requests DESC

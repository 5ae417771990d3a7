-- Average request time and the share of requests under each bound, per tenant, last hour.
-- The histogram columns add up across flushes and nodes, so these stay exact.
SELECT
    tenant,
    round(sum(request_time_sum_ms) / greatest(sum(request_time_count), 1), 1) AS avg_ms,
    round(sum(rt_0_10ms) / greatest(sum(request_time_count), 1), 4) AS under_10ms,
    round(sum(rt_0_10ms + rt_10_50ms + rt_50_100ms) / greatest(sum(request_time_count), 1), 4) AS under_100ms,
    round(sum(rt_0_10ms + rt_10_50ms + rt_50_100ms + rt_100_250ms + rt_250_500ms + rt_500_1000ms)
        / greatest(sum(request_time_count), 1), 4) AS under_1s
FROM fastingest.traffic_1m
WHERE minute >= now() - INTERVAL 1 HOUR
GROUP BY tenant
ORDER BY tenant

-- The requests behind a spike (replace 'shop'): the minute of the last 24 hours with the most 5xx
-- answers (ties: the busier minute, then the later one), then that minute's requests, one row per
-- path, status and cache status, errors first. requests_raw has rows only for the tenants listed in
-- FastIngest:RawRows:Tenants (at most RawRows:MaxRowsPerFlush per shard and second; past it
-- fastingest_raw_rows_dropped_total counts the requests without a row), for 7 days by default.
SELECT
    toDateTime((
        SELECT minute
        FROM fastingest.traffic_1m
        WHERE tenant = 'shop' AND minute >= now() - INTERVAL 1 DAY
        GROUP BY minute
        ORDER BY sum(status_5xx) DESC, sum(requests) DESC, minute DESC
        LIMIT 1), 'UTC') AS spike_minute,
    path,
    status,
    cache_status,
    count() AS requests,
    sum(bytes_sent) AS bytes,
    round(avg(request_time_ms)) AS avg_request_time_ms,
    uniq(visitor) AS visitors
FROM fastingest.requests_raw
WHERE tenant = 'shop' AND time >= spike_minute AND time < spike_minute + 60
GROUP BY path, status, cache_status
ORDER BY status >= 500 DESC, requests DESC, path

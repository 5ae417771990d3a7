-- Backfill the hour and day tables (issue 16) from rows counted before they existed. The rollups are
-- fed by views on the write doors from the moment the schema created them; rows already in the minute
-- tables (and paths_1h) then are not in them. Run each statement once, with FastIngest stopped and the
-- rollups empty:
--   - upgrading: stop FastIngest, apply the new schema by hand (clickhouse-client --multiquery <
--     clickhouse/schema.sql), run this file (clickhouse-client --multiquery < clickhouse/backfill-rollups.sql),
--     start the new version;
--   - already upgraded: stop FastIngest, empty the rollups first (TRUNCATE TABLE fastingest.traffic_1h;
--     and so on for each table below: the rows they hold are in the minute tables too), run this file,
--     start FastIngest.
-- A rollup that is not empty, or an insert while this runs, would count those rows twice.
-- Each statement reads a whole minute table. With more than 100 months of history, run it a span of
-- months at a time (add WHERE minute >= ... AND minute < ...): modern ClickHouse refuses an insert
-- block of more than 100 partitions.

INSERT INTO fastingest.traffic_1h (tenant, hour, requests, bytes_sent, body_bytes_sent, status_1xx, status_2xx, status_3xx, status_4xx, status_5xx, cache_hit, cache_miss, cache_expired, cache_stale, cache_updating, cache_revalidated, cache_bypass, request_time_count, request_time_sum_ms, rt_0_10ms, rt_10_50ms, rt_50_100ms, rt_100_250ms, rt_250_500ms, rt_500_1000ms, rt_1000_5000ms, rt_5000ms_plus)
SELECT tenant, toStartOfHour(minute) AS hour,
    sum(requests) AS requests, sum(bytes_sent) AS bytes_sent, sum(body_bytes_sent) AS body_bytes_sent, sum(status_1xx) AS status_1xx, sum(status_2xx) AS status_2xx, sum(status_3xx) AS status_3xx, sum(status_4xx) AS status_4xx, sum(status_5xx) AS status_5xx, sum(cache_hit) AS cache_hit, sum(cache_miss) AS cache_miss, sum(cache_expired) AS cache_expired, sum(cache_stale) AS cache_stale, sum(cache_updating) AS cache_updating, sum(cache_revalidated) AS cache_revalidated, sum(cache_bypass) AS cache_bypass, sum(request_time_count) AS request_time_count, sum(request_time_sum_ms) AS request_time_sum_ms, sum(rt_0_10ms) AS rt_0_10ms, sum(rt_10_50ms) AS rt_10_50ms, sum(rt_50_100ms) AS rt_50_100ms, sum(rt_100_250ms) AS rt_100_250ms, sum(rt_250_500ms) AS rt_250_500ms, sum(rt_500_1000ms) AS rt_500_1000ms, sum(rt_1000_5000ms) AS rt_1000_5000ms, sum(rt_5000ms_plus) AS rt_5000ms_plus
FROM fastingest.traffic_1m
GROUP BY tenant, hour;

INSERT INTO fastingest.traffic_1d (tenant, day, requests, bytes_sent, body_bytes_sent, status_1xx, status_2xx, status_3xx, status_4xx, status_5xx, cache_hit, cache_miss, cache_expired, cache_stale, cache_updating, cache_revalidated, cache_bypass, request_time_count, request_time_sum_ms, rt_0_10ms, rt_10_50ms, rt_50_100ms, rt_100_250ms, rt_250_500ms, rt_500_1000ms, rt_1000_5000ms, rt_5000ms_plus)
SELECT tenant, toDate(minute) AS day,
    sum(requests) AS requests, sum(bytes_sent) AS bytes_sent, sum(body_bytes_sent) AS body_bytes_sent, sum(status_1xx) AS status_1xx, sum(status_2xx) AS status_2xx, sum(status_3xx) AS status_3xx, sum(status_4xx) AS status_4xx, sum(status_5xx) AS status_5xx, sum(cache_hit) AS cache_hit, sum(cache_miss) AS cache_miss, sum(cache_expired) AS cache_expired, sum(cache_stale) AS cache_stale, sum(cache_updating) AS cache_updating, sum(cache_revalidated) AS cache_revalidated, sum(cache_bypass) AS cache_bypass, sum(request_time_count) AS request_time_count, sum(request_time_sum_ms) AS request_time_sum_ms, sum(rt_0_10ms) AS rt_0_10ms, sum(rt_10_50ms) AS rt_10_50ms, sum(rt_50_100ms) AS rt_50_100ms, sum(rt_100_250ms) AS rt_100_250ms, sum(rt_250_500ms) AS rt_250_500ms, sum(rt_500_1000ms) AS rt_500_1000ms, sum(rt_1000_5000ms) AS rt_1000_5000ms, sum(rt_5000ms_plus) AS rt_5000ms_plus
FROM fastingest.traffic_1m
GROUP BY tenant, day;

INSERT INTO fastingest.status_1h (tenant, hour, status, requests)
SELECT tenant, toStartOfHour(minute) AS hour, status,
    sum(requests) AS requests
FROM fastingest.status_1m
GROUP BY tenant, hour, status;

INSERT INTO fastingest.status_1d (tenant, day, status, requests)
SELECT tenant, toDate(minute) AS day, status,
    sum(requests) AS requests
FROM fastingest.status_1m
GROUP BY tenant, day, status;

INSERT INTO fastingest.pixel_1h (tenant, hour, key, hits)
SELECT tenant, toStartOfHour(minute) AS hour, key,
    sum(hits) AS hits
FROM fastingest.pixel_1m
GROUP BY tenant, hour, key;

INSERT INTO fastingest.pixel_1d (tenant, day, key, hits)
SELECT tenant, toDate(minute) AS day, key,
    sum(hits) AS hits
FROM fastingest.pixel_1m
GROUP BY tenant, day, key;

INSERT INTO fastingest.events_1h (tenant, hour, event_type, path, events)
SELECT tenant, toStartOfHour(minute) AS hour, event_type, path,
    sum(events) AS events
FROM fastingest.events_1m
GROUP BY tenant, hour, event_type, path;

INSERT INTO fastingest.events_1d (tenant, day, event_type, path, events)
SELECT tenant, toDate(minute) AS day, event_type, path,
    sum(events) AS events
FROM fastingest.events_1m
GROUP BY tenant, day, event_type, path;

INSERT INTO fastingest.paths_1d (tenant, day, path, requests, body_bytes_sent, cache_hit, cache_miss, last_hit)
SELECT tenant, toDate(hour) AS day, path,
    sumMergeState(requests) AS requests, sumMergeState(body_bytes_sent) AS body_bytes_sent,
    sumMergeState(cache_hit) AS cache_hit, sumMergeState(cache_miss) AS cache_miss, maxMergeState(last_hit) AS last_hit
FROM fastingest.paths_1h
GROUP BY tenant, day, path;

-- GENERATED from clickhouse/schema.sql by FastIngest.Core/ClickHouse/Cluster/ClusterSchema.cs; do not edit.
-- The local schema of a shard with one server: every table, door and view, plain engines.
-- Database fastingest, LocalDatabase fastingest_local, Cluster fastingest (FastIngest:ClickHouse's defaults).
-- FastIngest applies this itself (see README.md); the file is for reading and for clickhouse-client.

CREATE DATABASE IF NOT EXISTS fastingest_local;

CREATE TABLE IF NOT EXISTS fastingest_local.insert_ledger
(
    insert_id UInt64,
    target String,
    rows UInt64,
    time DateTime('UTC')
)
ENGINE = MergeTree()
PARTITION BY toYYYYMM(time)
ORDER BY insert_id;

CREATE TABLE IF NOT EXISTS fastingest_local.traffic_1m
(
    tenant String,
    minute DateTime('UTC'),
    requests UInt64,
    bytes_sent UInt64,
    body_bytes_sent UInt64,
    status_1xx UInt64,
    status_2xx UInt64,
    status_3xx UInt64,
    status_4xx UInt64,
    status_5xx UInt64,
    cache_hit UInt64,
    cache_miss UInt64,
    cache_expired UInt64,
    cache_stale UInt64,
    cache_updating UInt64,
    cache_revalidated UInt64,
    cache_bypass UInt64,
    request_time_count UInt64,
    request_time_sum_ms UInt64,
    rt_0_10ms UInt64,
    rt_10_50ms UInt64,
    rt_50_100ms UInt64,
    rt_100_250ms UInt64,
    rt_250_500ms UInt64,
    rt_500_1000ms UInt64,
    rt_1000_5000ms UInt64,
    rt_5000ms_plus UInt64
)
ENGINE = SummingMergeTree()
PARTITION BY toYYYYMM(minute)
ORDER BY (tenant, minute);

CREATE TABLE IF NOT EXISTS fastingest_local.traffic_1m_in
(
    tenant String,
    minute DateTime('UTC'),
    requests UInt64,
    bytes_sent UInt64,
    body_bytes_sent UInt64,
    status_1xx UInt64,
    status_2xx UInt64,
    status_3xx UInt64,
    status_4xx UInt64,
    status_5xx UInt64,
    cache_hit UInt64,
    cache_miss UInt64,
    cache_expired UInt64,
    cache_stale UInt64,
    cache_updating UInt64,
    cache_revalidated UInt64,
    cache_bypass UInt64,
    request_time_count UInt64,
    request_time_sum_ms UInt64,
    rt_0_10ms UInt64,
    rt_10_50ms UInt64,
    rt_50_100ms UInt64,
    rt_100_250ms UInt64,
    rt_250_500ms UInt64,
    rt_500_1000ms UInt64,
    rt_1000_5000ms UInt64,
    rt_5000ms_plus UInt64,
    insert_id UInt64
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.traffic_1m_in_mv TO fastingest_local.traffic_1m
AS SELECT tenant, minute, requests, bytes_sent, body_bytes_sent, status_1xx, status_2xx, status_3xx, status_4xx, status_5xx, cache_hit, cache_miss, cache_expired, cache_stale, cache_updating, cache_revalidated, cache_bypass, request_time_count, request_time_sum_ms, rt_0_10ms, rt_10_50ms, rt_50_100ms, rt_100_250ms, rt_250_500ms, rt_500_1000ms, rt_1000_5000ms, rt_5000ms_plus
FROM fastingest_local.traffic_1m_in;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.traffic_1m_in_ledger TO fastingest_local.insert_ledger
AS SELECT insert_id, 'traffic_1m' AS target, count() AS rows, now() AS time
FROM fastingest_local.traffic_1m_in
GROUP BY insert_id;

CREATE TABLE IF NOT EXISTS fastingest_local.status_1m
(
    tenant String,
    minute DateTime('UTC'),
    status UInt16,
    requests UInt64
)
ENGINE = SummingMergeTree()
PARTITION BY toYYYYMM(minute)
ORDER BY (tenant, minute, status);

CREATE TABLE IF NOT EXISTS fastingest_local.status_1m_in
(
    tenant String,
    minute DateTime('UTC'),
    status UInt16,
    requests UInt64,
    insert_id UInt64
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.status_1m_in_mv TO fastingest_local.status_1m
AS SELECT tenant, minute, status, requests
FROM fastingest_local.status_1m_in;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.status_1m_in_ledger TO fastingest_local.insert_ledger
AS SELECT insert_id, 'status_1m' AS target, count() AS rows, now() AS time
FROM fastingest_local.status_1m_in
GROUP BY insert_id;

CREATE TABLE IF NOT EXISTS fastingest_local.ingest_errors
(
    time DateTime('UTC'),
    source String,
    tenant String,
    reason String,
    count UInt64,
    sample String
)
ENGINE = MergeTree()
PARTITION BY toYYYYMM(time)
ORDER BY (time, reason);

CREATE TABLE IF NOT EXISTS fastingest_local.ingest_errors_in
(
    time DateTime('UTC'),
    source String,
    tenant String,
    reason String,
    count UInt64,
    sample String,
    insert_id UInt64
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.ingest_errors_in_mv TO fastingest_local.ingest_errors
AS SELECT time, source, tenant, reason, count, sample
FROM fastingest_local.ingest_errors_in;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.ingest_errors_in_ledger TO fastingest_local.insert_ledger
AS SELECT insert_id, 'ingest_errors' AS target, count() AS rows, now() AS time
FROM fastingest_local.ingest_errors_in
GROUP BY insert_id;

CREATE TABLE IF NOT EXISTS fastingest_local.pixel_1m
(
    tenant String,
    key String,
    minute DateTime('UTC'),
    hits UInt64
)
ENGINE = SummingMergeTree()
PARTITION BY toYYYYMM(minute)
ORDER BY (tenant, minute, key);

CREATE TABLE IF NOT EXISTS fastingest_local.pixel_1m_in
(
    tenant String,
    key String,
    minute DateTime('UTC'),
    hits UInt64,
    insert_id UInt64
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.pixel_1m_in_mv TO fastingest_local.pixel_1m
AS SELECT tenant, key, minute, hits
FROM fastingest_local.pixel_1m_in;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.pixel_1m_in_ledger TO fastingest_local.insert_ledger
AS SELECT insert_id, 'pixel_1m' AS target, count() AS rows, now() AS time
FROM fastingest_local.pixel_1m_in
GROUP BY insert_id;

CREATE TABLE IF NOT EXISTS fastingest_local.visitors_1d_in
(
    tenant String,
    day Date,
    key String,
    visitor UInt64,
    insert_id UInt64
)
ENGINE = Null;

CREATE TABLE IF NOT EXISTS fastingest_local.visitors_1d
(
    tenant String,
    day Date,
    key String,
    visitors AggregateFunction(uniq, UInt64)
)
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (tenant, day, key);

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.visitors_1d_in_mv TO fastingest_local.visitors_1d
AS SELECT tenant, day, key, uniqState(visitor) AS visitors
FROM fastingest_local.visitors_1d_in
GROUP BY tenant, day, key;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.visitors_1d_in_ledger TO fastingest_local.insert_ledger
AS SELECT insert_id, 'visitors_1d' AS target, count() AS rows, now() AS time
FROM fastingest_local.visitors_1d_in
GROUP BY insert_id;

CREATE TABLE IF NOT EXISTS fastingest_local.events_1m
(
    tenant String,
    minute DateTime('UTC'),
    event_type String,
    path String,
    events UInt64
)
ENGINE = SummingMergeTree()
PARTITION BY toYYYYMM(minute)
ORDER BY (tenant, event_type, minute, path);

CREATE TABLE IF NOT EXISTS fastingest_local.events_1m_in
(
    tenant String,
    minute DateTime('UTC'),
    event_type String,
    path String,
    events UInt64,
    insert_id UInt64
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.events_1m_in_mv TO fastingest_local.events_1m
AS SELECT tenant, minute, event_type, path, events
FROM fastingest_local.events_1m_in;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.events_1m_in_ledger TO fastingest_local.insert_ledger
AS SELECT insert_id, 'events_1m' AS target, count() AS rows, now() AS time
FROM fastingest_local.events_1m_in
GROUP BY insert_id;

CREATE TABLE IF NOT EXISTS fastingest_local.users_1d_in
(
    tenant String,
    day Date,
    user UInt64,
    insert_id UInt64
)
ENGINE = Null;

CREATE TABLE IF NOT EXISTS fastingest_local.users_1d
(
    tenant String,
    day Date,
    users AggregateFunction(uniq, UInt64)
)
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (tenant, day);

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.users_1d_in_mv TO fastingest_local.users_1d
AS SELECT tenant, day, uniqState(user) AS users
FROM fastingest_local.users_1d_in
GROUP BY tenant, day;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.users_1d_in_ledger TO fastingest_local.insert_ledger
AS SELECT insert_id, 'users_1d' AS target, count() AS rows, now() AS time
FROM fastingest_local.users_1d_in
GROUP BY insert_id;

CREATE TABLE IF NOT EXISTS fastingest_local.paths_1h_in
(
    tenant String,
    hour DateTime('UTC'),
    path String,
    requests UInt64,
    body_bytes_sent UInt64,
    cache_hit UInt64,
    cache_miss UInt64,
    last_hit DateTime('UTC'),
    insert_id UInt64
)
ENGINE = Null;

CREATE TABLE IF NOT EXISTS fastingest_local.paths_1h
(
    tenant String,
    hour DateTime('UTC'),
    path String,
    requests AggregateFunction(sum, UInt64),
    body_bytes_sent AggregateFunction(sum, UInt64),
    cache_hit AggregateFunction(sum, UInt64),
    cache_miss AggregateFunction(sum, UInt64),
    last_hit AggregateFunction(max, DateTime('UTC'))
)
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(hour)
ORDER BY (tenant, hour, path);

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.paths_1h_in_mv TO fastingest_local.paths_1h
AS SELECT tenant, hour, path,
    sumState(requests) AS requests, sumState(body_bytes_sent) AS body_bytes_sent,
    sumState(cache_hit) AS cache_hit, sumState(cache_miss) AS cache_miss, maxState(last_hit) AS last_hit
FROM fastingest_local.paths_1h_in
GROUP BY tenant, hour, path;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.paths_1h_in_ledger TO fastingest_local.insert_ledger
AS SELECT insert_id, 'paths_1h' AS target, count() AS rows, now() AS time
FROM fastingest_local.paths_1h_in
GROUP BY insert_id;

CREATE TABLE IF NOT EXISTS fastingest_local.traffic_1h
(
    tenant String,
    hour DateTime('UTC'),
    requests UInt64,
    bytes_sent UInt64,
    body_bytes_sent UInt64,
    status_1xx UInt64,
    status_2xx UInt64,
    status_3xx UInt64,
    status_4xx UInt64,
    status_5xx UInt64,
    cache_hit UInt64,
    cache_miss UInt64,
    cache_expired UInt64,
    cache_stale UInt64,
    cache_updating UInt64,
    cache_revalidated UInt64,
    cache_bypass UInt64,
    request_time_count UInt64,
    request_time_sum_ms UInt64,
    rt_0_10ms UInt64,
    rt_10_50ms UInt64,
    rt_50_100ms UInt64,
    rt_100_250ms UInt64,
    rt_250_500ms UInt64,
    rt_500_1000ms UInt64,
    rt_1000_5000ms UInt64,
    rt_5000ms_plus UInt64
)
ENGINE = SummingMergeTree()
PARTITION BY toYYYYMM(hour)
ORDER BY (tenant, hour);

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.traffic_1m_in_mv_1h TO fastingest_local.traffic_1h
AS SELECT tenant, toStartOfHour(minute) AS hour,
    sum(requests) AS requests, sum(bytes_sent) AS bytes_sent, sum(body_bytes_sent) AS body_bytes_sent, sum(status_1xx) AS status_1xx, sum(status_2xx) AS status_2xx, sum(status_3xx) AS status_3xx, sum(status_4xx) AS status_4xx, sum(status_5xx) AS status_5xx, sum(cache_hit) AS cache_hit, sum(cache_miss) AS cache_miss, sum(cache_expired) AS cache_expired, sum(cache_stale) AS cache_stale, sum(cache_updating) AS cache_updating, sum(cache_revalidated) AS cache_revalidated, sum(cache_bypass) AS cache_bypass, sum(request_time_count) AS request_time_count, sum(request_time_sum_ms) AS request_time_sum_ms, sum(rt_0_10ms) AS rt_0_10ms, sum(rt_10_50ms) AS rt_10_50ms, sum(rt_50_100ms) AS rt_50_100ms, sum(rt_100_250ms) AS rt_100_250ms, sum(rt_250_500ms) AS rt_250_500ms, sum(rt_500_1000ms) AS rt_500_1000ms, sum(rt_1000_5000ms) AS rt_1000_5000ms, sum(rt_5000ms_plus) AS rt_5000ms_plus
FROM fastingest_local.traffic_1m_in
GROUP BY tenant, hour;

CREATE TABLE IF NOT EXISTS fastingest_local.traffic_1d
(
    tenant String,
    day Date,
    requests UInt64,
    bytes_sent UInt64,
    body_bytes_sent UInt64,
    status_1xx UInt64,
    status_2xx UInt64,
    status_3xx UInt64,
    status_4xx UInt64,
    status_5xx UInt64,
    cache_hit UInt64,
    cache_miss UInt64,
    cache_expired UInt64,
    cache_stale UInt64,
    cache_updating UInt64,
    cache_revalidated UInt64,
    cache_bypass UInt64,
    request_time_count UInt64,
    request_time_sum_ms UInt64,
    rt_0_10ms UInt64,
    rt_10_50ms UInt64,
    rt_50_100ms UInt64,
    rt_100_250ms UInt64,
    rt_250_500ms UInt64,
    rt_500_1000ms UInt64,
    rt_1000_5000ms UInt64,
    rt_5000ms_plus UInt64
)
ENGINE = SummingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (tenant, day);

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.traffic_1m_in_mv_1d TO fastingest_local.traffic_1d
AS SELECT tenant, toDate(minute) AS day,
    sum(requests) AS requests, sum(bytes_sent) AS bytes_sent, sum(body_bytes_sent) AS body_bytes_sent, sum(status_1xx) AS status_1xx, sum(status_2xx) AS status_2xx, sum(status_3xx) AS status_3xx, sum(status_4xx) AS status_4xx, sum(status_5xx) AS status_5xx, sum(cache_hit) AS cache_hit, sum(cache_miss) AS cache_miss, sum(cache_expired) AS cache_expired, sum(cache_stale) AS cache_stale, sum(cache_updating) AS cache_updating, sum(cache_revalidated) AS cache_revalidated, sum(cache_bypass) AS cache_bypass, sum(request_time_count) AS request_time_count, sum(request_time_sum_ms) AS request_time_sum_ms, sum(rt_0_10ms) AS rt_0_10ms, sum(rt_10_50ms) AS rt_10_50ms, sum(rt_50_100ms) AS rt_50_100ms, sum(rt_100_250ms) AS rt_100_250ms, sum(rt_250_500ms) AS rt_250_500ms, sum(rt_500_1000ms) AS rt_500_1000ms, sum(rt_1000_5000ms) AS rt_1000_5000ms, sum(rt_5000ms_plus) AS rt_5000ms_plus
FROM fastingest_local.traffic_1m_in
GROUP BY tenant, day;

CREATE TABLE IF NOT EXISTS fastingest_local.status_1h
(
    tenant String,
    hour DateTime('UTC'),
    status UInt16,
    requests UInt64
)
ENGINE = SummingMergeTree()
PARTITION BY toYYYYMM(hour)
ORDER BY (tenant, hour, status);

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.status_1m_in_mv_1h TO fastingest_local.status_1h
AS SELECT tenant, toStartOfHour(minute) AS hour, status,
    sum(requests) AS requests
FROM fastingest_local.status_1m_in
GROUP BY tenant, hour, status;

CREATE TABLE IF NOT EXISTS fastingest_local.status_1d
(
    tenant String,
    day Date,
    status UInt16,
    requests UInt64
)
ENGINE = SummingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (tenant, day, status);

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.status_1m_in_mv_1d TO fastingest_local.status_1d
AS SELECT tenant, toDate(minute) AS day, status,
    sum(requests) AS requests
FROM fastingest_local.status_1m_in
GROUP BY tenant, day, status;

CREATE TABLE IF NOT EXISTS fastingest_local.pixel_1h
(
    tenant String,
    hour DateTime('UTC'),
    key String,
    hits UInt64
)
ENGINE = SummingMergeTree()
PARTITION BY toYYYYMM(hour)
ORDER BY (tenant, hour, key);

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.pixel_1m_in_mv_1h TO fastingest_local.pixel_1h
AS SELECT tenant, toStartOfHour(minute) AS hour, key,
    sum(hits) AS hits
FROM fastingest_local.pixel_1m_in
GROUP BY tenant, hour, key;

CREATE TABLE IF NOT EXISTS fastingest_local.pixel_1d
(
    tenant String,
    day Date,
    key String,
    hits UInt64
)
ENGINE = SummingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (tenant, day, key);

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.pixel_1m_in_mv_1d TO fastingest_local.pixel_1d
AS SELECT tenant, toDate(minute) AS day, key,
    sum(hits) AS hits
FROM fastingest_local.pixel_1m_in
GROUP BY tenant, day, key;

CREATE TABLE IF NOT EXISTS fastingest_local.events_1h
(
    tenant String,
    hour DateTime('UTC'),
    event_type String,
    path String,
    events UInt64
)
ENGINE = SummingMergeTree()
PARTITION BY toYYYYMM(hour)
ORDER BY (tenant, event_type, hour, path);

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.events_1m_in_mv_1h TO fastingest_local.events_1h
AS SELECT tenant, toStartOfHour(minute) AS hour, event_type, path,
    sum(events) AS events
FROM fastingest_local.events_1m_in
GROUP BY tenant, hour, event_type, path;

CREATE TABLE IF NOT EXISTS fastingest_local.events_1d
(
    tenant String,
    day Date,
    event_type String,
    path String,
    events UInt64
)
ENGINE = SummingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (tenant, event_type, day, path);

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.events_1m_in_mv_1d TO fastingest_local.events_1d
AS SELECT tenant, toDate(minute) AS day, event_type, path,
    sum(events) AS events
FROM fastingest_local.events_1m_in
GROUP BY tenant, day, event_type, path;

CREATE TABLE IF NOT EXISTS fastingest_local.paths_1d
(
    tenant String,
    day Date,
    path String,
    requests AggregateFunction(sum, UInt64),
    body_bytes_sent AggregateFunction(sum, UInt64),
    cache_hit AggregateFunction(sum, UInt64),
    cache_miss AggregateFunction(sum, UInt64),
    last_hit AggregateFunction(max, DateTime('UTC'))
)
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (tenant, day, path);

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.paths_1h_in_mv_1d TO fastingest_local.paths_1d
AS SELECT tenant, toDate(hour) AS day, path,
    sumState(requests) AS requests, sumState(body_bytes_sent) AS body_bytes_sent,
    sumState(cache_hit) AS cache_hit, sumState(cache_miss) AS cache_miss, maxState(last_hit) AS last_hit
FROM fastingest_local.paths_1h_in
GROUP BY tenant, day, path;

CREATE TABLE IF NOT EXISTS fastingest_local.requests_raw
(
    time DateTime('UTC'),
    time_ms UInt16,
    tenant String,
    method String,
    status UInt16,
    path String,
    bytes_sent UInt64,
    body_bytes_sent UInt64,
    request_time_ms UInt32,
    cache_status Enum8('' = 0, 'HIT' = 1, 'MISS' = 2, 'EXPIRED' = 3, 'STALE' = 4, 'UPDATING' = 5, 'REVALIDATED' = 6, 'BYPASS' = 7, 'OTHER' = 8),
    referrer_host String,
    agent_class String,
    visitor UInt64
)
ENGINE = MergeTree()
PARTITION BY toYYYYMMDD(time)
ORDER BY (tenant, time);

CREATE TABLE IF NOT EXISTS fastingest_local.requests_raw_in
(
    time DateTime('UTC'),
    time_ms UInt16,
    tenant String,
    method String,
    status UInt16,
    path String,
    bytes_sent UInt64,
    body_bytes_sent UInt64,
    request_time_ms UInt32,
    cache_status Enum8('' = 0, 'HIT' = 1, 'MISS' = 2, 'EXPIRED' = 3, 'STALE' = 4, 'UPDATING' = 5, 'REVALIDATED' = 6, 'BYPASS' = 7, 'OTHER' = 8),
    referrer_host String,
    agent_class String,
    visitor UInt64,
    insert_id UInt64
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.requests_raw_in_mv TO fastingest_local.requests_raw
AS SELECT time, time_ms, tenant, method, status, path, bytes_sent, body_bytes_sent, request_time_ms,
    cache_status, referrer_host, agent_class, visitor
FROM fastingest_local.requests_raw_in;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.requests_raw_in_ledger TO fastingest_local.insert_ledger
AS SELECT insert_id, 'requests_raw' AS target, count() AS rows, now() AS time
FROM fastingest_local.requests_raw_in
GROUP BY insert_id;

CREATE TABLE IF NOT EXISTS fastingest_local.referrers_1d_in
(
    tenant String,
    day Date,
    source_group Enum8('direct' = 0, 'other' = 1, 'internal' = 2, 'search' = 3, 'social' = 4, 'email' = 5),
    host String,
    tagged_source String,
    visits UInt64,
    visitor UInt64,
    insert_id UInt64
)
ENGINE = Null;

CREATE TABLE IF NOT EXISTS fastingest_local.referrers_1d
(
    tenant String,
    day Date,
    source_group Enum8('direct' = 0, 'other' = 1, 'internal' = 2, 'search' = 3, 'social' = 4, 'email' = 5),
    host String,
    tagged_source String,
    visits AggregateFunction(sum, UInt64),
    visitors AggregateFunction(uniqIf, UInt64, UInt8)
)
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (tenant, day, source_group, host, tagged_source);

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.referrers_1d_in_mv TO fastingest_local.referrers_1d
AS SELECT tenant, day, source_group, host, tagged_source,
    sumState(visits) AS visits, uniqIfState(visitor, visitor != 0) AS visitors
FROM fastingest_local.referrers_1d_in
GROUP BY tenant, day, source_group, host, tagged_source;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.referrers_1d_in_ledger TO fastingest_local.insert_ledger
AS SELECT insert_id, 'referrers_1d' AS target, count() AS rows, now() AS time
FROM fastingest_local.referrers_1d_in
GROUP BY insert_id;

CREATE TABLE IF NOT EXISTS fastingest_local.agents_1d_in
(
    tenant String,
    day Date,
    browser String,
    os String,
    device String,
    is_bot UInt8,
    bot String,
    hits UInt64,
    visitor UInt64,
    insert_id UInt64
)
ENGINE = Null;

CREATE TABLE IF NOT EXISTS fastingest_local.agents_1d
(
    tenant String,
    day Date,
    browser String,
    os String,
    device String,
    is_bot UInt8,
    bot String,
    hits AggregateFunction(sum, UInt64),
    visitors AggregateFunction(uniq, UInt64)
)
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (tenant, day, is_bot, browser, os, device, bot);

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.agents_1d_in_mv TO fastingest_local.agents_1d
AS SELECT tenant, day, browser, os, device, is_bot, bot,
    sumState(hits) AS hits, uniqStateIf(visitor, visitor != 0) AS visitors
FROM fastingest_local.agents_1d_in
GROUP BY tenant, day, browser, os, device, is_bot, bot;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.agents_1d_in_ledger TO fastingest_local.insert_ledger
AS SELECT insert_id, 'agents_1d' AS target, count() AS rows, now() AS time
FROM fastingest_local.agents_1d_in
GROUP BY insert_id;

-- FastIngest schema. Applied at every start by the server (statement by statement, idempotent), and
-- safe to paste into clickhouse-client. Runs on ClickHouse 18.16 and modern ClickHouse alike: no
-- LowCardinality, CODEC, TTL, SimpleAggregateFunction, DateTime64 or IPv4 types (see README). Retention
-- (TTL where the server has it) is set by the server after this file: docs/operations.md, "Retention".
-- The server substitutes the configured database name for `fastingest`.
--
-- Counters are deltas written once per flush interval; SummingMergeTree adds rows with the same
-- ORDER BY key in background merges, so always read them with sum() ... GROUP BY.
--
-- FastIngest never inserts into the tables analysts read. Each table X has a write door X_in (Null
-- engine: keeps nothing) with the same columns plus insert_id; one materialized view passes the rows on
-- to X (others, at the end of this file, to its hour and day rollups), another records (insert_id,
-- rows) in insert_ledger within the same INSERT. Before it retries
-- an insert whose outcome it did not learn (a cut connection, a timeout, a replay after a crash),
-- FastIngest looks its insert_id up in the ledger: that is how a retry never counts twice, on 18.16
-- and on modern ClickHouse alike (see README, "Delivery guarantees").

CREATE DATABASE IF NOT EXISTS fastingest;

-- One row per insert FastIngest made (per block, if ClickHouse split one). It must outlive every round
-- in FastIngest's spool: the server drops its months past FastIngest:Retention:Days:insert_ledger (7) by
-- itself, never one a spooled round may need, on 18.16 and modern alike (no TTL: see docs/operations.md,
-- "Retention"). Don't drop its partitions by hand while rounds wait in the spool.
CREATE TABLE IF NOT EXISTS fastingest.insert_ledger
(
    insert_id UInt64,
    target String,
    rows UInt64,
    time DateTime('UTC')
)
ENGINE = MergeTree()
PARTITION BY toYYYYMM(time)
ORDER BY insert_id;


CREATE TABLE IF NOT EXISTS fastingest.traffic_1m
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

CREATE TABLE IF NOT EXISTS fastingest.traffic_1m_in
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

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.traffic_1m_in_mv TO fastingest.traffic_1m
AS SELECT tenant, minute, requests, bytes_sent, body_bytes_sent, status_1xx, status_2xx, status_3xx, status_4xx, status_5xx, cache_hit, cache_miss, cache_expired, cache_stale, cache_updating, cache_revalidated, cache_bypass, request_time_count, request_time_sum_ms, rt_0_10ms, rt_10_50ms, rt_50_100ms, rt_100_250ms, rt_250_500ms, rt_500_1000ms, rt_1000_5000ms, rt_5000ms_plus
FROM fastingest.traffic_1m_in;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.traffic_1m_in_ledger TO fastingest.insert_ledger
AS SELECT insert_id, 'traffic_1m' AS target, count() AS rows, now() AS time
FROM fastingest.traffic_1m_in
GROUP BY insert_id;

CREATE TABLE IF NOT EXISTS fastingest.status_1m
(
    tenant String,
    minute DateTime('UTC'),
    status UInt16,
    requests UInt64
)
ENGINE = SummingMergeTree()
PARTITION BY toYYYYMM(minute)
ORDER BY (tenant, minute, status);

CREATE TABLE IF NOT EXISTS fastingest.status_1m_in
(
    tenant String,
    minute DateTime('UTC'),
    status UInt16,
    requests UInt64,
    insert_id UInt64
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.status_1m_in_mv TO fastingest.status_1m
AS SELECT tenant, minute, status, requests
FROM fastingest.status_1m_in;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.status_1m_in_ledger TO fastingest.insert_ledger
AS SELECT insert_id, 'status_1m' AS target, count() AS rows, now() AS time
FROM fastingest.status_1m_in
GROUP BY insert_id;

-- Bad input: one row per kept sample (count 1), plus one row per (source, tenant, reason) and flush
-- with the count of the rest and an empty sample. sum(count) is the exact number of rejects.
CREATE TABLE IF NOT EXISTS fastingest.ingest_errors
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

CREATE TABLE IF NOT EXISTS fastingest.ingest_errors_in
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

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.ingest_errors_in_mv TO fastingest.ingest_errors
AS SELECT time, source, tenant, reason, count, sample
FROM fastingest.ingest_errors_in;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.ingest_errors_in_ledger TO fastingest.insert_ledger
AS SELECT insert_id, 'ingest_errors' AS target, count() AS rows, now() AS time
FROM fastingest.ingest_errors_in
GROUP BY insert_id;

-- Tracking-pixel hits, from FastIngest's own /p/{tenant}/{key}.gif and from NGINX-served pixels
-- (empty_gif) found in the access log. Read with sum(hits).
CREATE TABLE IF NOT EXISTS fastingest.pixel_1m
(
    tenant String,
    key String,
    minute DateTime('UTC'),
    hits UInt64
)
ENGINE = SummingMergeTree()
PARTITION BY toYYYYMM(minute)
ORDER BY (tenant, minute, key);

CREATE TABLE IF NOT EXISTS fastingest.pixel_1m_in
(
    tenant String,
    key String,
    minute DateTime('UTC'),
    hits UInt64,
    insert_id UInt64
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.pixel_1m_in_mv TO fastingest.pixel_1m
AS SELECT tenant, key, minute, hits
FROM fastingest.pixel_1m_in;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.pixel_1m_in_ledger TO fastingest.insert_ledger
AS SELECT insert_id, 'pixel_1m' AS target, count() AS rows, now() AS time
FROM fastingest.pixel_1m_in
GROUP BY insert_id;

-- Unique visitors without personal data. FastIngest inserts daily-salted hashes of (tenant, address,
-- user agent) into visitors_1d_in, which keeps nothing (Null engine); the materialized view folds
-- them into uniq states per (tenant, day, key). key is '' for all of a tenant's NGINX traffic and the
-- pixel key for pixel hits, so:
--   per tenant per day:  SELECT day, uniqMerge(visitors) FROM fastingest.visitors_1d WHERE tenant = 'shop' GROUP BY day
--   per key per day:     ... WHERE tenant = 'shop' AND key != '' GROUP BY day, key
-- uniq is exact up to 65,536 distinct visitors per group and within about 2% above. A retried insert
-- adds the same hashes again, which a uniq state absorbs.
CREATE TABLE IF NOT EXISTS fastingest.visitors_1d_in
(
    tenant String,
    day Date,
    key String,
    visitor UInt64,
    insert_id UInt64
)
ENGINE = Null;

CREATE TABLE IF NOT EXISTS fastingest.visitors_1d
(
    tenant String,
    day Date,
    key String,
    visitors AggregateFunction(uniq, UInt64)
)
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (tenant, day, key);

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.visitors_1d_in_mv TO fastingest.visitors_1d
AS SELECT tenant, day, key, uniqState(visitor) AS visitors
FROM fastingest.visitors_1d_in
GROUP BY tenant, day, key;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.visitors_1d_in_ledger TO fastingest.insert_ledger
AS SELECT insert_id, 'visitors_1d' AS target, count() AS rows, now() AS time
FROM fastingest.visitors_1d_in
GROUP BY insert_id;

-- Analytics events from POST /event and /ingest, per (site_id as tenant, minute, event_type, path).
-- Read with sum(events). Paths and types past the configured caps are counted as '(other)'.
CREATE TABLE IF NOT EXISTS fastingest.events_1m
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

CREATE TABLE IF NOT EXISTS fastingest.events_1m_in
(
    tenant String,
    minute DateTime('UTC'),
    event_type String,
    path String,
    events UInt64,
    insert_id UInt64
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.events_1m_in_mv TO fastingest.events_1m
AS SELECT tenant, minute, event_type, path, events
FROM fastingest.events_1m_in;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.events_1m_in_ledger TO fastingest.insert_ledger
AS SELECT insert_id, 'events_1m' AS target, count() AS rows, now() AS time
FROM fastingest.events_1m_in
GROUP BY insert_id;

-- Unique users per site and day: XxHash3 of user_id (keyed by the site, never the id itself) folded
-- into uniq states like visitors_1d. uniqMerge over days gives all-time unique users.
CREATE TABLE IF NOT EXISTS fastingest.users_1d_in
(
    tenant String,
    day Date,
    user UInt64,
    insert_id UInt64
)
ENGINE = Null;

CREATE TABLE IF NOT EXISTS fastingest.users_1d
(
    tenant String,
    day Date,
    users AggregateFunction(uniq, UInt64)
)
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (tenant, day);

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.users_1d_in_mv TO fastingest.users_1d
AS SELECT tenant, day, uniqState(user) AS users
FROM fastingest.users_1d_in
GROUP BY tenant, day;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.users_1d_in_ledger TO fastingest.insert_ledger
AS SELECT insert_id, 'users_1d' AS target, count() AS rows, now() AS time
FROM fastingest.users_1d_in
GROUP BY insert_id;

-- Per file (path) and hour: downloads, bytes, cache hits and misses, last hit. FastIngest inserts
-- per-flush rows into paths_1h_in (Null); the view folds them into states: read with sumMerge and
-- maxMerge (see clickhouse/queries/top_files_*.sql). Paths past the configured cap count as '(other)'.
CREATE TABLE IF NOT EXISTS fastingest.paths_1h_in
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

CREATE TABLE IF NOT EXISTS fastingest.paths_1h
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

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.paths_1h_in_mv TO fastingest.paths_1h
AS SELECT tenant, hour, path,
    sumState(requests) AS requests, sumState(body_bytes_sent) AS body_bytes_sent,
    sumState(cache_hit) AS cache_hit, sumState(cache_miss) AS cache_miss, maxState(last_hit) AS last_hit
FROM fastingest.paths_1h_in
GROUP BY tenant, hour, path;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.paths_1h_in_ledger TO fastingest.insert_ledger
AS SELECT insert_id, 'paths_1h' AS target, count() AS rows, now() AS time
FROM fastingest.paths_1h_in
GROUP BY insert_id;

-- Rollups (issue 16). Every minute table X_1m has X_1h and X_1d beside it, and paths_1h has paths_1d:
-- the same counters per hour (hour DateTime, the hour's start) and per UTC day (day Date, as in
-- visitors_1d and users_1d). Each is fed by a materialized view of its own on the write door X_1m_in
-- (not on X_1m: a view on a view's target does not fire reliably on 18.16), which sums the insert's
-- block per (tenant, hour|day, ...) so a flush becomes a few rows. Only X_in_ledger records an insert;
-- the rollup views add no ledger row, and their names (X_in_mv_1h, X_in_mv_1d) sort after X_in_ledger
-- and X_in_mv, so on 18.16 (views run by name) the ledger still runs first. Partitions stay monthly: a
-- block's hours and days fall in the same months as its minutes, so an insert the PartitionSplitter
-- cut for the minute table is within the limit for its rollups too. Read them with sum(), like X_1m.
-- Rows counted before these tables existed are only in X_1m: clickhouse/backfill-rollups.sql.

CREATE TABLE IF NOT EXISTS fastingest.traffic_1h
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

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.traffic_1m_in_mv_1h TO fastingest.traffic_1h
AS SELECT tenant, toStartOfHour(minute) AS hour,
    sum(requests) AS requests, sum(bytes_sent) AS bytes_sent, sum(body_bytes_sent) AS body_bytes_sent, sum(status_1xx) AS status_1xx, sum(status_2xx) AS status_2xx, sum(status_3xx) AS status_3xx, sum(status_4xx) AS status_4xx, sum(status_5xx) AS status_5xx, sum(cache_hit) AS cache_hit, sum(cache_miss) AS cache_miss, sum(cache_expired) AS cache_expired, sum(cache_stale) AS cache_stale, sum(cache_updating) AS cache_updating, sum(cache_revalidated) AS cache_revalidated, sum(cache_bypass) AS cache_bypass, sum(request_time_count) AS request_time_count, sum(request_time_sum_ms) AS request_time_sum_ms, sum(rt_0_10ms) AS rt_0_10ms, sum(rt_10_50ms) AS rt_10_50ms, sum(rt_50_100ms) AS rt_50_100ms, sum(rt_100_250ms) AS rt_100_250ms, sum(rt_250_500ms) AS rt_250_500ms, sum(rt_500_1000ms) AS rt_500_1000ms, sum(rt_1000_5000ms) AS rt_1000_5000ms, sum(rt_5000ms_plus) AS rt_5000ms_plus
FROM fastingest.traffic_1m_in
GROUP BY tenant, hour;

CREATE TABLE IF NOT EXISTS fastingest.traffic_1d
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

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.traffic_1m_in_mv_1d TO fastingest.traffic_1d
AS SELECT tenant, toDate(minute) AS day,
    sum(requests) AS requests, sum(bytes_sent) AS bytes_sent, sum(body_bytes_sent) AS body_bytes_sent, sum(status_1xx) AS status_1xx, sum(status_2xx) AS status_2xx, sum(status_3xx) AS status_3xx, sum(status_4xx) AS status_4xx, sum(status_5xx) AS status_5xx, sum(cache_hit) AS cache_hit, sum(cache_miss) AS cache_miss, sum(cache_expired) AS cache_expired, sum(cache_stale) AS cache_stale, sum(cache_updating) AS cache_updating, sum(cache_revalidated) AS cache_revalidated, sum(cache_bypass) AS cache_bypass, sum(request_time_count) AS request_time_count, sum(request_time_sum_ms) AS request_time_sum_ms, sum(rt_0_10ms) AS rt_0_10ms, sum(rt_10_50ms) AS rt_10_50ms, sum(rt_50_100ms) AS rt_50_100ms, sum(rt_100_250ms) AS rt_100_250ms, sum(rt_250_500ms) AS rt_250_500ms, sum(rt_500_1000ms) AS rt_500_1000ms, sum(rt_1000_5000ms) AS rt_1000_5000ms, sum(rt_5000ms_plus) AS rt_5000ms_plus
FROM fastingest.traffic_1m_in
GROUP BY tenant, day;

CREATE TABLE IF NOT EXISTS fastingest.status_1h
(
    tenant String,
    hour DateTime('UTC'),
    status UInt16,
    requests UInt64
)
ENGINE = SummingMergeTree()
PARTITION BY toYYYYMM(hour)
ORDER BY (tenant, hour, status);

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.status_1m_in_mv_1h TO fastingest.status_1h
AS SELECT tenant, toStartOfHour(minute) AS hour, status,
    sum(requests) AS requests
FROM fastingest.status_1m_in
GROUP BY tenant, hour, status;

CREATE TABLE IF NOT EXISTS fastingest.status_1d
(
    tenant String,
    day Date,
    status UInt16,
    requests UInt64
)
ENGINE = SummingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (tenant, day, status);

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.status_1m_in_mv_1d TO fastingest.status_1d
AS SELECT tenant, toDate(minute) AS day, status,
    sum(requests) AS requests
FROM fastingest.status_1m_in
GROUP BY tenant, day, status;

CREATE TABLE IF NOT EXISTS fastingest.pixel_1h
(
    tenant String,
    hour DateTime('UTC'),
    key String,
    hits UInt64
)
ENGINE = SummingMergeTree()
PARTITION BY toYYYYMM(hour)
ORDER BY (tenant, hour, key);

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.pixel_1m_in_mv_1h TO fastingest.pixel_1h
AS SELECT tenant, toStartOfHour(minute) AS hour, key,
    sum(hits) AS hits
FROM fastingest.pixel_1m_in
GROUP BY tenant, hour, key;

CREATE TABLE IF NOT EXISTS fastingest.pixel_1d
(
    tenant String,
    day Date,
    key String,
    hits UInt64
)
ENGINE = SummingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (tenant, day, key);

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.pixel_1m_in_mv_1d TO fastingest.pixel_1d
AS SELECT tenant, toDate(minute) AS day, key,
    sum(hits) AS hits
FROM fastingest.pixel_1m_in
GROUP BY tenant, day, key;

CREATE TABLE IF NOT EXISTS fastingest.events_1h
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

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.events_1m_in_mv_1h TO fastingest.events_1h
AS SELECT tenant, toStartOfHour(minute) AS hour, event_type, path,
    sum(events) AS events
FROM fastingest.events_1m_in
GROUP BY tenant, hour, event_type, path;

CREATE TABLE IF NOT EXISTS fastingest.events_1d
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

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.events_1m_in_mv_1d TO fastingest.events_1d
AS SELECT tenant, toDate(minute) AS day, event_type, path,
    sum(events) AS events
FROM fastingest.events_1m_in
GROUP BY tenant, day, event_type, path;

-- paths_1h is already hourly; its day table folds the same states per UTC day.
CREATE TABLE IF NOT EXISTS fastingest.paths_1d
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

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.paths_1h_in_mv_1d TO fastingest.paths_1d
AS SELECT tenant, toDate(hour) AS day, path,
    sumState(requests) AS requests, sumState(body_bytes_sent) AS body_bytes_sent,
    sumState(cache_hit) AS cache_hit, sumState(cache_miss) AS cache_miss, maxState(last_hit) AS last_hit
FROM fastingest.paths_1h_in
GROUP BY tenant, day, path;
-- Raw rows (issue 16, item 4): one row per request, only for the tenants listed in
-- FastIngest:RawRows:Tenants, at most RawRows:MaxRowsPerFlush per shard and flush interval (the rest
-- still count in every other table; fastingest_raw_rows_dropped_total says how many got no row). For
-- drill-down: clickhouse/queries/requests_behind_a_spike.sql. Nothing personal: never the address,
-- the user agent, the query string or the full referrer; referrer_host is the referring URL's host
-- only (lowercased, no user info or port); visitor is the daily-salted hash visitors_1d counts (0
-- without one or under DNT/GPC), so a visitor can't be followed from one day to the next.
-- agent_class is the user agent's class as short stable text (issue 18, docs/agents.md): browser/os/
-- device for a browser ('chrome/android/mobile', 'safari/ios/tablet'), 'bot:' and the bot's family for a
-- named bot ('bot:google', 'bot:curl'), 'bot:' and its kind for an unnamed one ('bot:generic',
-- 'bot:no_agent'); never the agent itself. request_time_ms,
-- bytes_sent and body_bytes_sent are 0 when the log format has no such field. Partitioned by day so
-- a 7-day retention drops whole partitions on 18.16 too; time_ms keeps the milliseconds beside the
-- DateTime (no DateTime64 on 18.16).
CREATE TABLE IF NOT EXISTS fastingest.requests_raw
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

CREATE TABLE IF NOT EXISTS fastingest.requests_raw_in
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

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.requests_raw_in_mv TO fastingest.requests_raw
AS SELECT time, time_ms, tenant, method, status, path, bytes_sent, body_bytes_sent, request_time_ms,
    cache_status, referrer_host, agent_class, visitor
FROM fastingest.requests_raw_in;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.requests_raw_in_ledger TO fastingest.insert_ledger
AS SELECT insert_id, 'requests_raw' AS target, count() AS rows, now() AS time
FROM fastingest.requests_raw_in
GROUP BY insert_id;

-- Referrers (issue 18, item 1): where requests came from, per tenant, UTC day, source group, referring
-- host and tagged source (utm_source, source or ref of the pixel's page URL). FastIngest inserts one row
-- per (referrer, visitor) and flush into referrers_1d_in (Null); the view sums visits and folds visitors
-- into uniq states, visitor 0 being requests without one (no address, DNT/GPC). visits counts requests
-- arriving with that referrer: for an external group (search, social, email, other) the entries from it
-- plus the assets their pages loaded (an asset carries its page as referrer), for internal mostly the
-- site's own pages and assets; direct is requests without a referrer. Bots are not counted. Host is the
-- referrer's host without www. and port, '' for direct; past FastIngest:Referrers:MaxSourcesPerTenant
-- names per tenant and flush interval a row counts as host '(other)' with tagged source '' in its own
-- group, so totals per group stay exact. Read with sumMerge(visits) and uniqIfMerge(visitors); see
-- clickhouse/queries/top_referrers.sql.
CREATE TABLE IF NOT EXISTS fastingest.referrers_1d_in
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

CREATE TABLE IF NOT EXISTS fastingest.referrers_1d
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

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.referrers_1d_in_mv TO fastingest.referrers_1d
AS SELECT tenant, day, source_group, host, tagged_source,
    sumState(visits) AS visits, uniqIfState(visitor, visitor != 0) AS visitors
FROM fastingest.referrers_1d_in
GROUP BY tenant, day, source_group, host, tagged_source;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.referrers_1d_in_ledger TO fastingest.insert_ledger
AS SELECT insert_id, 'referrers_1d' AS target, count() AS rows, now() AS time
FROM fastingest.referrers_1d_in
GROUP BY insert_id;

-- Browsers, operating systems, devices and bots per tenant and UTC day (issue 18, docs/agents.md).
-- browser, os and device are the classifier's stable texts ('chrome', 'android', 'mobile', 'other',
-- 'unknown'); is_bot is 1 for crawlers, headless browsers, HTTP libraries, monitors, generic tells and
-- requests without an agent, and bot names the family ('google', 'curl', 'unnamed'), '' for a person's
-- browser. A bot keeps what its agent claims (Googlebot smartphone is chrome/android/mobile with is_bot 1).
-- Every access-log line counts once, for its tenant (an NGINX-served pixel line too, not again for the
-- pixel URL's tenant), and every FastIngest-served pixel hit once. FastIngest inserts one door row per
-- (tenant, day, class, visitor hash) and flush with its hits; visitor 0 means "not a visitor" (a bot
-- while FastIngest:Aggregation:CountBotsAsVisitors is off, DNT/GPC, no address), so the view folds only
-- the others into the uniq state. Read with sumMerge(hits) and uniqMerge(visitors), e.g.
--   SELECT browser, sumMerge(hits), uniqMerge(visitors) FROM fastingest.agents_1d
--   WHERE tenant = 'shop' AND is_bot = 0 GROUP BY browser
-- (clickhouse/queries/browsers.sql, devices.sql, bots.sql). uniqStateIf gives a plain uniq state on
-- 18.16 and modern alike.
CREATE TABLE IF NOT EXISTS fastingest.agents_1d_in
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

CREATE TABLE IF NOT EXISTS fastingest.agents_1d
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

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.agents_1d_in_mv TO fastingest.agents_1d
AS SELECT tenant, day, browser, os, device, is_bot, bot,
    sumState(hits) AS hits, uniqStateIf(visitor, visitor != 0) AS visitors
FROM fastingest.agents_1d_in
GROUP BY tenant, day, browser, os, device, is_bot, bot;

CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.agents_1d_in_ledger TO fastingest.insert_ledger
AS SELECT insert_id, 'agents_1d' AS target, count() AS rows, now() AS time
FROM fastingest.agents_1d_in
GROUP BY insert_id;

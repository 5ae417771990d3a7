-- FastIngest schema. Applied at every start by the server (statement by statement, idempotent), and
-- safe to paste into clickhouse-client. Runs on ClickHouse 18.16 and modern ClickHouse alike: no
-- LowCardinality, CODEC, TTL, SimpleAggregateFunction, DateTime64 or IPv4 types (see README).
-- The server substitutes the configured database name for `fastingest`.
--
-- Counters are deltas written once per flush interval; SummingMergeTree adds rows with the same
-- ORDER BY key in background merges, so always read them with sum() ... GROUP BY.

CREATE DATABASE IF NOT EXISTS fastingest;

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

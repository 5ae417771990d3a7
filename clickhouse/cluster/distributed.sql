-- GENERATED from clickhouse/schema.sql by FastIngest.Core/ClickHouse/Cluster/ClusterSchema.cs; do not edit.
-- On every server: a Distributed table per stored table, where every read goes.
-- Database fastingest, LocalDatabase fastingest_local, Cluster fastingest (FastIngest:ClickHouse's defaults).
-- FastIngest applies this itself (see README.md); the file is for reading and for clickhouse-client.

CREATE DATABASE IF NOT EXISTS fastingest;

CREATE TABLE IF NOT EXISTS fastingest.insert_ledger
(
    insert_id UInt64,
    target String,
    rows UInt64,
    time DateTime('UTC')
)
ENGINE = Distributed(fastingest, fastingest_local, insert_ledger);

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
ENGINE = Distributed(fastingest, fastingest_local, traffic_1m);

CREATE TABLE IF NOT EXISTS fastingest.status_1m
(
    tenant String,
    minute DateTime('UTC'),
    status UInt16,
    requests UInt64
)
ENGINE = Distributed(fastingest, fastingest_local, status_1m);

CREATE TABLE IF NOT EXISTS fastingest.ingest_errors
(
    time DateTime('UTC'),
    source String,
    tenant String,
    reason String,
    count UInt64,
    sample String
)
ENGINE = Distributed(fastingest, fastingest_local, ingest_errors);

CREATE TABLE IF NOT EXISTS fastingest.pixel_1m
(
    tenant String,
    key String,
    minute DateTime('UTC'),
    hits UInt64
)
ENGINE = Distributed(fastingest, fastingest_local, pixel_1m);

CREATE TABLE IF NOT EXISTS fastingest.visitors_1d
(
    tenant String,
    day Date,
    key String,
    visitors AggregateFunction(uniq, UInt64)
)
ENGINE = Distributed(fastingest, fastingest_local, visitors_1d);

CREATE TABLE IF NOT EXISTS fastingest.events_1m
(
    tenant String,
    minute DateTime('UTC'),
    event_type String,
    path String,
    events UInt64
)
ENGINE = Distributed(fastingest, fastingest_local, events_1m);

CREATE TABLE IF NOT EXISTS fastingest.users_1d
(
    tenant String,
    day Date,
    users AggregateFunction(uniq, UInt64)
)
ENGINE = Distributed(fastingest, fastingest_local, users_1d);

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
ENGINE = Distributed(fastingest, fastingest_local, paths_1h);

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
ENGINE = Distributed(fastingest, fastingest_local, traffic_1h);

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
ENGINE = Distributed(fastingest, fastingest_local, traffic_1d);

CREATE TABLE IF NOT EXISTS fastingest.status_1h
(
    tenant String,
    hour DateTime('UTC'),
    status UInt16,
    requests UInt64
)
ENGINE = Distributed(fastingest, fastingest_local, status_1h);

CREATE TABLE IF NOT EXISTS fastingest.status_1d
(
    tenant String,
    day Date,
    status UInt16,
    requests UInt64
)
ENGINE = Distributed(fastingest, fastingest_local, status_1d);

CREATE TABLE IF NOT EXISTS fastingest.pixel_1h
(
    tenant String,
    hour DateTime('UTC'),
    key String,
    hits UInt64
)
ENGINE = Distributed(fastingest, fastingest_local, pixel_1h);

CREATE TABLE IF NOT EXISTS fastingest.pixel_1d
(
    tenant String,
    day Date,
    key String,
    hits UInt64
)
ENGINE = Distributed(fastingest, fastingest_local, pixel_1d);

CREATE TABLE IF NOT EXISTS fastingest.events_1h
(
    tenant String,
    hour DateTime('UTC'),
    event_type String,
    path String,
    events UInt64
)
ENGINE = Distributed(fastingest, fastingest_local, events_1h);

CREATE TABLE IF NOT EXISTS fastingest.events_1d
(
    tenant String,
    day Date,
    event_type String,
    path String,
    events UInt64
)
ENGINE = Distributed(fastingest, fastingest_local, events_1d);

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
ENGINE = Distributed(fastingest, fastingest_local, paths_1d);

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
ENGINE = Distributed(fastingest, fastingest_local, requests_raw);

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
ENGINE = Distributed(fastingest, fastingest_local, referrers_1d);

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
ENGINE = Distributed(fastingest, fastingest_local, agents_1d);

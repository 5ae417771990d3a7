namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// The column lists of each table and the RowBinary rows that match them. Kept side by side so a
/// column can't be added to one without the other; <c>clickhouse/schema.sql</c> holds the DDL. The
/// sink appends each row's <c>insert_id</c> after what these write.
/// </summary>
internal static class TableEncoders
{
    public const int Traffic = 0, Status = 1, Errors = 2, Pixel = 3, Visitors = 4, Events = 5, Users = 6, Paths = 7, RawRows = 8, Agents = 9, Referrers = 10;

    /// <summary>
    /// The tables FastIngest writes, by the indexes above (spool records store the index). Inserts go
    /// through each table's write door <c>{Name}_in</c>, whose rows also carry <c>insert_id</c>.
    /// </summary>
    public static readonly (string Name, string Columns)[] Tables =
    [
        ("traffic_1m", TrafficColumns),
        ("status_1m", StatusColumns),
        ("ingest_errors", ErrorColumns),
        ("pixel_1m", PixelColumns),
        ("visitors_1d", VisitorColumns),
        ("events_1m", EventColumns),
        ("users_1d", UserColumns),
        ("paths_1h", PathColumns),
        ("requests_raw", RawRowColumns),
        ("agents_1d", AgentColumns),
        ("referrers_1d", ReferrerColumns),
    ];

    public static string InsertSql(string database, int table) =>
        $"INSERT INTO {database}.{Tables[table].Name}_in ({Tables[table].Columns}, insert_id) FORMAT RowBinary";

    public const string TrafficColumns =
        "tenant, minute, requests, bytes_sent, body_bytes_sent, " +
        "status_1xx, status_2xx, status_3xx, status_4xx, status_5xx, " +
        "cache_hit, cache_miss, cache_expired, cache_stale, cache_updating, cache_revalidated, cache_bypass, " +
        "request_time_count, request_time_sum_ms, " +
        "rt_0_10ms, rt_10_50ms, rt_50_100ms, rt_100_250ms, rt_250_500ms, rt_500_1000ms, rt_1000_5000ms, rt_5000ms_plus";

    public const string StatusColumns = "tenant, minute, status, requests";

    public const string ErrorColumns = "time, source, tenant, reason, count, sample";

    public const string PixelColumns = "tenant, key, minute, hits";

    public const string VisitorColumns = "tenant, day, key, visitor";

    public const string EventColumns = "tenant, minute, event_type, path, events";

    public const string UserColumns = "tenant, day, user";

    public const string PathColumns = "tenant, hour, path, requests, body_bytes_sent, cache_hit, cache_miss, last_hit";

    public const string RawRowColumns =
        "time, time_ms, tenant, method, status, path, bytes_sent, body_bytes_sent, request_time_ms, cache_status, referrer_host, agent_class, visitor";

    public const string AgentColumns = "tenant, day, browser, os, device, is_bot, bot, hits, visitor";

    public const string ReferrerColumns = "tenant, day, source_group, host, tagged_source, visits, visitor";

    public delegate void RowEncoder<TRow>(RowBinaryWriter writer, in TRow row);

    public static void Append(RowBinaryWriter writer, in TrafficRow row)
    {
        TrafficCounters c = row.Counters;
        writer.String(row.Tenant);
        writer.DateTime(row.Minute);
        writer.UInt64(c.Requests);
        writer.UInt64(c.BytesSent);
        writer.UInt64(c.BodyBytesSent);
        writer.UInt64(c.Status1xx);
        writer.UInt64(c.Status2xx);
        writer.UInt64(c.Status3xx);
        writer.UInt64(c.Status4xx);
        writer.UInt64(c.Status5xx);
        writer.UInt64(c.CacheHit);
        writer.UInt64(c.CacheMiss);
        writer.UInt64(c.CacheExpired);
        writer.UInt64(c.CacheStale);
        writer.UInt64(c.CacheUpdating);
        writer.UInt64(c.CacheRevalidated);
        writer.UInt64(c.CacheBypass);
        writer.UInt64(c.RequestTimeCount);
        writer.UInt64(c.RequestTimeSumMs);
        for (int i = 0; i < LatencyHistogram.BucketCount; i++)
        {
            writer.UInt64(c.Latency[i]);
        }
    }

    public static void Append(RowBinaryWriter writer, in StatusRow row)
    {
        writer.String(row.Tenant);
        writer.DateTime(row.Minute);
        writer.UInt16(row.Status);
        writer.UInt64(row.Requests);
    }

    public static void Append(RowBinaryWriter writer, in ErrorRow row)
    {
        writer.DateTime(row.Time);
        writer.String(row.Source);
        writer.String(row.Tenant);
        writer.String(row.Reason);
        writer.UInt64(row.Count);
        writer.String(row.Sample);
    }

    public static void Append(RowBinaryWriter writer, in PixelRow row)
    {
        writer.String(row.Tenant);
        writer.String(row.Key);
        writer.DateTime(row.Minute);
        writer.UInt64(row.Hits);
    }

    public static void Append(RowBinaryWriter writer, in VisitorRow row)
    {
        writer.String(row.Tenant);
        writer.Date(row.Day);
        writer.String(row.Key);
        writer.UInt64(row.Visitor);
    }

    public static void Append(RowBinaryWriter writer, in EventRow row)
    {
        writer.String(row.Tenant);
        writer.DateTime(row.Minute);
        writer.String(row.EventType);
        writer.String(row.Path);
        writer.UInt64(row.Events);
    }

    public static void Append(RowBinaryWriter writer, in UserRow row)
    {
        writer.String(row.Tenant);
        writer.Date(row.Day);
        writer.UInt64(row.User);
    }

    public static void Append(RowBinaryWriter writer, in PathRow row)
    {
        writer.String(row.Tenant);
        writer.DateTime(row.Hour);
        writer.String(row.Path);
        writer.UInt64(row.Counters.Requests);
        writer.UInt64(row.Counters.BodyBytes);
        writer.UInt64(row.Counters.CacheHit);
        writer.UInt64(row.Counters.CacheMiss);
        writer.DateTime(row.Counters.LastHit);
    }

    public static void Append(RowBinaryWriter writer, in ReferrerRow row)
    {
        writer.String(row.Tenant);
        writer.Date(row.Day);
        // Enum8 travels as Int8: the value of Parsing.Referrers.ReferrerGroup, which the schema's Enum8 spells out.
        writer.UInt8(row.Group);
        writer.String(row.Host);
        writer.String(row.TaggedSource);
        writer.UInt64(row.Visits);
        writer.UInt64(row.Visitor);
    }

    /// <summary>A <c>requests_raw</c> row; its text is in <paramref name="set"/>'s arena.</summary>
    public static void Append(RowBinaryWriter writer, RawRowSet set, in RawRow row)
    {
        writer.DateTime(row.Time);
        writer.UInt16(row.TimeMs);
        writer.String(row.Tenant);
        writer.String(set.Method(in row));
        writer.UInt16(row.Status);
        writer.String(set.Path(in row));
        writer.UInt64(row.BytesSent);
        writer.UInt64(row.BodyBytesSent);
        writer.UInt32(row.RequestTimeMs);
        // Enum8 travels as Int8: the value of Parsing.CacheStatus, which the schema's Enum8 spells out.
        writer.UInt8(row.CacheStatus);
        writer.String(set.ReferrerHost(in row));
        // agent_class: the class's short text (AgentClassText), never the agent itself.
        writer.String(set.AgentClass(in row));
        writer.UInt64(row.Visitor);
    }

    public static void Append(RowBinaryWriter writer, in AgentRow row)
    {
        writer.String(row.Tenant);
        writer.Date(row.Day);
        writer.String(row.Browser);
        writer.String(row.Os);
        writer.String(row.Device);
        writer.UInt8(row.IsBot ? (byte)1 : (byte)0);
        writer.String(row.Bot);
        writer.UInt64(row.Hits);
        writer.UInt64(row.Visitor);
    }
}

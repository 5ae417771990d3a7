using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using FastIngest.Core.Internal;
using FastIngest.Core.Sinks.ClickHouse;
using FastIngest.Server.Hosting;
using FastIngest.Server.Operations;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace FastIngest.Tests.Operations;

/// <summary>
/// <c>/metrics</c> as the server's own wiring builds it (AddFastIngest, not started): the exported
/// families are exactly those of a8e36c2, before the numbers moved to System.Diagnostics.Metrics.
/// Operators, dashboards and the integration tests read these names.
/// </summary>
public sealed partial class PrometheusExporterTests : IDisposable
{
    // Every HELP and TYPE line of a8e36c2's /metrics, in its order (captured from a running server), and
    // families added since in their place (fastingest_spool_max_bytes, issue 18).
    private static readonly string[] s_headers =
    [
        "# HELP fastingest_udp_datagrams_total UDP syslog datagrams received.",
        "# TYPE fastingest_udp_datagrams_total counter",
        "# HELP fastingest_udp_bytes_total UDP syslog bytes received.",
        "# TYPE fastingest_udp_bytes_total counter",
        "# HELP fastingest_udp_kernel_drops_total Datagrams the kernel dropped on the syslog socket (/proc/net/udp).",
        "# TYPE fastingest_udp_kernel_drops_total counter",
        "# HELP fastingest_tcp_connections_total TCP syslog connections accepted.",
        "# TYPE fastingest_tcp_connections_total counter",
        "# HELP fastingest_tcp_connections_refused_total TCP syslog connections refused past TcpMaxConnections.",
        "# TYPE fastingest_tcp_connections_refused_total counter",
        "# HELP fastingest_tcp_open_connections TCP syslog connections open.",
        "# TYPE fastingest_tcp_open_connections gauge",
        "# HELP fastingest_tcp_messages_total TCP syslog frames read.",
        "# TYPE fastingest_tcp_messages_total counter",
        "# HELP fastingest_tcp_frame_timeouts_total TCP and TLS syslog connections closed because a frame was not complete within FrameTimeout.",
        "# TYPE fastingest_tcp_frame_timeouts_total counter",
        "# HELP fastingest_syslog_refused_total Syslog datagrams and connections refused before reading, by transport and reason.",
        "# TYPE fastingest_syslog_refused_total counter",
        "# HELP fastingest_pixel_requests_total Pixel requests served.",
        "# TYPE fastingest_pixel_requests_total counter",
        "# HELP fastingest_pixel_rejected_total Pixel requests refused (bad or unknown names).",
        "# TYPE fastingest_pixel_rejected_total counter",
        "# HELP fastingest_lines_counted_total Access-log lines counted, per shard.",
        "# TYPE fastingest_lines_counted_total counter",
        "# HELP fastingest_events_counted_total Analytics events counted, per shard.",
        "# TYPE fastingest_events_counted_total counter",
        "# HELP fastingest_rejected_total Refused input, by source and reason (details in fastingest.ingest_errors).",
        "# TYPE fastingest_rejected_total counter",
        "# HELP fastingest_shard_queue_depth Batches waiting in each shard's channel.",
        "# TYPE fastingest_shard_queue_depth gauge",
        "# HELP fastingest_folded_total Lines, hits and events counted under (other) past a cap, by what was folded.",
        "# TYPE fastingest_folded_total counter",
        "# HELP fastingest_names_truncated_total Lines, hits and events whose name was cut to MaxNameBytes, by what was cut.",
        "# TYPE fastingest_names_truncated_total counter",
        "# HELP fastingest_name_table_bytes Bytes each shard's path, pixel key and event type tables hold (MaxNameBytesPerShard bounds it), as of its last flush.",
        "# TYPE fastingest_name_table_bytes gauge",
        "# HELP fastingest_tenants Tenants each shard holds now, configured ones included (MaxTenants, split over the shards, bounds the others).",
        "# TYPE fastingest_tenants gauge",
        "# HELP fastingest_tenants_forgotten_total Tenants each shard forgot after TenantIdleTimeout without a message (their rows were written before).",
        "# TYPE fastingest_tenants_forgotten_total counter",
        "# HELP fastingest_raw_rows_total requests_raw rows each shard handed to the sink (opted-in tenants only, RawRows:Tenants).",
        "# TYPE fastingest_raw_rows_total counter",
        "# HELP fastingest_raw_rows_dropped_total Requests of opted-in tenants past RawRows:MaxRowsPerFlush in an interval: counted everywhere else, without a requests_raw row.",
        "# TYPE fastingest_raw_rows_dropped_total counter",
        "# HELP fastingest_clickhouse_rows_written_total Rows ClickHouse confirmed.",
        "# TYPE fastingest_clickhouse_rows_written_total counter",
        "# HELP fastingest_clickhouse_lines_written_total Counted lines whose counters ClickHouse confirmed.",
        "# TYPE fastingest_clickhouse_lines_written_total counter",
        "# HELP fastingest_clickhouse_insert_failures_total Failed ClickHouse inserts (each retried).",
        "# TYPE fastingest_clickhouse_insert_failures_total counter",
        "# HELP fastingest_clickhouse_queued_batches Flushed batches waiting for ClickHouse.",
        "# TYPE fastingest_clickhouse_queued_batches gauge",
        "# HELP fastingest_clickhouse_seconds_since_success Seconds since ClickHouse last accepted a write.",
        "# TYPE fastingest_clickhouse_seconds_since_success gauge",
        "# HELP fastingest_flush_latency_seconds From a flush round's first batch to ClickHouse's confirmation of it (replays included).",
        "# TYPE fastingest_flush_latency_seconds histogram",
        "# HELP fastingest_clickhouse_duplicates_avoided_total Inserts found in insert_ledger before a retry, so not sent twice.",
        "# TYPE fastingest_clickhouse_duplicates_avoided_total counter",
        "# HELP fastingest_clickhouse_partial_inserts_total Inserts ClickHouse applied only in part (see the log).",
        "# TYPE fastingest_clickhouse_partial_inserts_total counter",
        "# HELP fastingest_spool_bytes Bytes of the spool's segment files.",
        "# TYPE fastingest_spool_bytes gauge",
        "# HELP fastingest_spool_max_bytes The spool's cap (Spool:MaxBytes): past it, rounds ClickHouse cannot take are dropped.",
        "# TYPE fastingest_spool_max_bytes gauge",
        "# HELP fastingest_spool_segments Spool segment files.",
        "# TYPE fastingest_spool_segments gauge",
        "# HELP fastingest_spool_records Flush rounds waiting in the spool.",
        "# TYPE fastingest_spool_records gauge",
        "# HELP fastingest_spool_records_written_total Flush rounds written to the spool.",
        "# TYPE fastingest_spool_records_written_total counter",
        "# HELP fastingest_spool_records_replayed_total Spooled rounds ClickHouse has since confirmed.",
        "# TYPE fastingest_spool_records_replayed_total counter",
        "# HELP fastingest_spool_torn_records_total Spool records found torn or damaged, skipped.",
        "# TYPE fastingest_spool_torn_records_total counter",
        "# HELP fastingest_spool_full 1 while writes are dropped for want of spool room: the spool at its cap, or the disk refusing its writes.",
        "# TYPE fastingest_spool_full gauge",
        "# HELP fastingest_spool_disk_faults_total Spool writes the file system refused (ENOSPC, EIO, ...); each dropped its round.",
        "# TYPE fastingest_spool_disk_faults_total counter",
        "# HELP fastingest_oldest_unflushed_seconds Age of the oldest round waiting in the spool (0 when empty): how far behind ClickHouse is.",
        "# TYPE fastingest_oldest_unflushed_seconds gauge",
        "# HELP fastingest_spool_dropped_rounds_total Flush rounds lost: ClickHouse could not take them and the spool was full or its disk refused the write.",
        "# TYPE fastingest_spool_dropped_rounds_total counter",
        "# HELP fastingest_rounds_quarantined_total Rounds ClickHouse refused for good (by error code), moved to the spool's quarantine folder so the rounds behind them go on.",
        "# TYPE fastingest_rounds_quarantined_total counter",
        "# HELP fastingest_quarantined_rounds Rounds in the quarantine folder now, waiting for `FastIngest.Server spool retry` once the cause is fixed.",
        "# TYPE fastingest_quarantined_rounds gauge",
        "# HELP fastingest_quarantined_bytes Bytes of the rounds in the quarantine folder.",
        "# TYPE fastingest_quarantined_bytes gauge",
        "# HELP fastingest_spool_dropped_total Lines, pixel hits and events lost to a full spool or a disk fault, per tenant.",
        "# TYPE fastingest_spool_dropped_total counter",
        "# HELP fastingest_idempotency_write_failures_total Idempotency-Key lines the disk refused to store (ENOSPC, EIO); a refused first line is a 503 with nothing counted.",
        "# TYPE fastingest_idempotency_write_failures_total counter",
        "# HELP fastingest_idempotency_refused_at_cap_total New Idempotency-Keys refused because MaxIdempotencyKeys (503) or MaxIdempotencyKeysPerScope (429) was reached; nothing counted.",
        "# TYPE fastingest_idempotency_refused_at_cap_total counter",
        "# HELP fastingest_idempotency_expired_total Idempotency-Keys forgotten while running because IdempotencyRetention passed.",
        "# TYPE fastingest_idempotency_expired_total counter",
        "# HELP fastingest_idempotency_compactions_total Rewrites of idempotency-keys.log down to its live keys.",
        "# TYPE fastingest_idempotency_compactions_total counter",
        "# HELP fastingest_idempotency_keys Idempotency-Keys remembered now, completed and in progress.",
        "# TYPE fastingest_idempotency_keys gauge",
        "# HELP fastingest_http_refused_total HTTP API requests refused before their handler: 401 (unauthorized) or 429 (a limit), by reason.",
        "# TYPE fastingest_http_refused_total counter",
        "# HELP fastingest_http_ingest_partitions Partitions (tenants and client addresses) /ingest's byte and concurrency limits hold state for.",
        "# TYPE fastingest_http_ingest_partitions gauge",
        "# HELP fastingest_clickhouse_pings_total SELECT 1 pings sent to ClickHouse for /health: one per Management:PingInterval at most, none while inserts succeed.",
        "# TYPE fastingest_clickhouse_pings_total counter",
        "# HELP fastingest_tail_checkpoint_failures_total Tail checkpoints the disk refused to save (ENOSPC, EIO); the last saved one stays, the next interval retries.",
        "# TYPE fastingest_tail_checkpoint_failures_total counter",
        "# HELP fastingest_retention_partitions_dropped_total Expired partitions dropped (ALTER TABLE … DROP PARTITION), per table: on servers without TTL, and insert_ledger's months on all.",
        "# TYPE fastingest_retention_partitions_dropped_total counter",
        "# HELP fastingest_retention_rows_dropped_total Rows in the expired partitions dropped, per table.",
        "# TYPE fastingest_retention_rows_dropped_total counter",
        "# HELP fastingest_retention_ttl_changes_total Table TTLs set or removed because the configured retention differed from the table's.",
        "# TYPE fastingest_retention_ttl_changes_total counter",
        "# HELP fastingest_retention_runs_total Retention passes run to their end (one at start, then one per Retention:Interval).",
        "# TYPE fastingest_retention_runs_total counter",
        "# HELP fastingest_retention_failures_total Retention passes that failed (ClickHouse away or refusing); each is tried again within a minute.",
        "# TYPE fastingest_retention_failures_total counter",
        "# HELP fastingest_gc_allocated_bytes_total Bytes allocated by the process.",
        "# TYPE fastingest_gc_allocated_bytes_total counter",
        "# HELP fastingest_gc_collections_total Garbage collections by generation.",
        "# TYPE fastingest_gc_collections_total counter",
        "# HELP fastingest_gc_heap_bytes Managed heap size.",
        "# TYPE fastingest_gc_heap_bytes gauge",
    ];

    // The label names of each labelled family; every other family has none.
    private static readonly Dictionary<string, string> s_labels = new(StringComparer.Ordinal)
    {
        ["fastingest_lines_counted_total"] = "shard",
        ["fastingest_events_counted_total"] = "shard",
        ["fastingest_rejected_total"] = "source,reason",
        ["fastingest_syslog_refused_total"] = "transport,reason",
        ["fastingest_shard_queue_depth"] = "shard",
        ["fastingest_folded_total"] = "kind",
        ["fastingest_names_truncated_total"] = "kind",
        ["fastingest_name_table_bytes"] = "shard",
        ["fastingest_tenants"] = "shard",
        ["fastingest_tenants_forgotten_total"] = "shard",
        ["fastingest_raw_rows_total"] = "shard",
        ["fastingest_raw_rows_dropped_total"] = "shard",
        ["fastingest_flush_latency_seconds_bucket"] = "le",
        ["fastingest_spool_dropped_total"] = "tenant",
        ["fastingest_http_refused_total"] = "reason",
        ["fastingest_gc_collections_total"] = "generation",
        ["fastingest_retention_partitions_dropped_total"] = "table",
        ["fastingest_retention_rows_dropped_total"] = "table",
    };

    private readonly string _state = Path.Combine(Path.GetTempPath(), "fastingest-exporter-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }

    private WebApplication BuildServer()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--FastIngest:StateDirectory=" + _state, "--FastIngest:Aggregation:Shards=3", "--FastIngest:Http:Port=0", "--FastIngest:Pixel:Port=0", "--FastIngest:Syslog:TcpPort=0"],
        });
        builder.AddFastIngest();
        return builder.Build();
    }

    [Fact]
    public async Task ExportsTheSameFamiliesHelpTextsAndTypesAsBefore()
    {
        await using WebApplication server = BuildServer();
        string text = server.Services.GetRequiredService<PrometheusExporter>().Scrape();

        string[] headers = [.. text.Split('\n').Where(line => line.StartsWith('#'))];
        Assert.Equal(s_headers, headers);
    }

    [Fact]
    public async Task LabelsEachSampleAsBefore()
    {
        await using WebApplication server = BuildServer();
        string text = server.Services.GetRequiredService<PrometheusExporter>().Scrape();

        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => !line.StartsWith('#')))
        {
            Match sample = SampleLine().Match(line);
            Assert.True(sample.Success, line);
            string keys = string.Join(',', LabelName().Matches(sample.Groups["labels"].Value).Select(m => m.Groups[1].Value));
            Assert.Equal(s_labels.GetValueOrDefault(sample.Groups["name"].Value, ""), keys);
        }

        Assert.Equal(["0", "1", "2"], ShardLabels(text, "fastingest_lines_counted_total"));
        Assert.Equal(["0", "1", "2"], ShardLabels(text, "fastingest_shard_queue_depth"));
        Assert.Equal(["0", "1", "2"], ShardLabels(text, "fastingest_name_table_bytes"));
        Assert.Contains("fastingest_names_truncated_total{kind=\"tenant\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("fastingest_udp_datagrams_total 0\n", text, StringComparison.Ordinal);
        Assert.Contains("fastingest_folded_total{kind=\"pixel_key\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("fastingest_flush_latency_seconds_bucket{le=\"+Inf\"} 0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FlushLatencyFillsTheLatencyBucketsCumulatively()
    {
        await using WebApplication server = BuildServer();
        PrometheusExporter exporter = server.Services.GetRequiredService<PrometheusExporter>();
        ClickHouseSink sink = server.Services.GetRequiredService<ClickHouseSink>();
        // What SinkCounters.Confirmed does for each confirmed round; publishing set the histogram.
        Assert.NotNull(sink.FlushLatencyHistogram);
        foreach (double seconds in new[] { 0.004, 0.01, 0.3, 0.3, 2, 90 })
        {
            sink.FlushLatencyHistogram.Record(seconds);
        }

        string text = exporter.Scrape();
        // Bounds 0.005 … 60 s; a value on a bound counts in that bucket (le), 90 s only in +Inf.
        long[] cumulative = [1, 2, 2, 2, 2, 2, 4, 4, 5, 5, 5, 5, 5];
        Assert.Equal(LatencyBuckets.UpperBoundsSeconds.Length, cumulative.Length);
        for (int i = 0; i < LatencyBuckets.UpperBoundsSeconds.Length; i++)
        {
            string le = LatencyBuckets.UpperBoundsSeconds[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains($"fastingest_flush_latency_seconds_bucket{{le=\"{le}\"}} {cumulative[i]}\n", text, StringComparison.Ordinal);
        }

        Assert.Contains("fastingest_flush_latency_seconds_bucket{le=\"+Inf\"} 6\n", text, StringComparison.Ordinal);
        Assert.Contains("fastingest_flush_latency_seconds_count 6\n", text, StringComparison.Ordinal);
        Assert.Equal(92.614, SampleValue(text, "fastingest_flush_latency_seconds_sum"), precision: 6);
    }

    [Fact]
    public void ExportsWhatIsPublishedAndNothingOfAnotherMeterOfTheSameName()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var other = new Meter(FastIngestMeter.Name);
        other.CreateObservableCounter("other_total", () => 1L);
        using var exporter = new PrometheusExporter(services.GetRequiredService<IMeterFactory>(), [new Publisher()]);

        Assert.Equal(
            "# HELP test_requests_total Requests.\n# TYPE test_requests_total counter\n" +
            "test_requests_total{tenant=\"a\\\"b\\\\c\"} 2\ntest_requests_total{tenant=\"d\"} 1\n" +
            "# HELP test_open Open.\n# TYPE test_open gauge\ntest_open 1.5\n",
            exporter.Scrape());
    }

    private static List<string> ShardLabels(string text, string name) =>
        [.. SampleLine().Matches(text).Where(m => m.Groups["name"].Value == name).Select(m => Regex.Match(m.Groups["labels"].Value, "shard=\"([0-9]+)\"").Groups[1].Value)];

    private static double SampleValue(string text, string name) =>
        double.Parse(SampleLine().Matches(text).Single(m => m.Groups["name"].Value == name).Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(?<name>[a-z_]+)(\{(?<labels>[^}]*)\})? (?<value>-?[0-9.eE+]+)$", RegexOptions.Multiline)]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-z_]+)=""")]
    private static partial Regex LabelName();

    private sealed class Publisher : IMetricsPublisher
    {
        public void Publish(Meter meter)
        {
            Counter<long> requests = meter.CreateCounter<long>("test_requests_total", description: "Requests.");
            requests.Add(1, new KeyValuePair<string, object?>("tenant", "a\"b\\c"));
            requests.Add(1, new KeyValuePair<string, object?>("tenant", "d"));
            requests.Add(1, new KeyValuePair<string, object?>("tenant", "a\"b\\c"));
            meter.CreateObservableGauge("test_open", () => 1.5, description: "Open.");
        }
    }
}

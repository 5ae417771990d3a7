using System.ComponentModel.DataAnnotations;

namespace FastIngest.Core.ClickHouse;

/// <summary>Configuration section <c>FastIngest:ClickHouse</c>.</summary>
public sealed class ClickHouseOptions : IValidatableObject
{
    public const string SectionName = "FastIngest:ClickHouse";

    /// <summary>The HTTP interface, e.g. <c>http://127.0.0.1:8123</c>.</summary>
    [Required]
    public Uri Url { get; set; } = new("http://127.0.0.1:8123");

    [Required]
    [RegularExpression("^[A-Za-z_][A-Za-z0-9_]*$")]
    public string Database { get; set; } = "fastingest";

    public string User { get; set; } = "default";

    public string Password { get; set; } = "";

    /// <summary>Create the database and tables from <c>clickhouse/schema.sql</c> at start (idempotent).</summary>
    public bool ApplySchema { get; set; } = true;

    /// <summary>Gzip insert bodies; worth it when ClickHouse is across a network, not on loopback.</summary>
    public bool Compress { get; set; }

    /// <summary>Flushed shard batches waiting for ClickHouse before shards wait too (backpressure).</summary>
    [Range(1, 100_000)]
    public int MaxQueuedBatches { get; set; } = 256;

    /// <summary>
    /// Most partitions (months: every table is <c>PARTITION BY toYYYYMM</c>) one insert may touch; a round
    /// of rows spanning more is split into several. ClickHouse refuses a block over its
    /// <c>max_partitions_per_insert_block</c> (100 by default) for good, so keep this below that setting
    /// of the server; above 100 only for a server where it was raised.
    /// </summary>
    [Range(1, 1000)]
    public int MaxPartitionsPerInsert { get; set; } = 90;

    /// <summary>Per-request timeout.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait between retries of a failed insert (backoff doubles up to it).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Attempts of the spool's replay at a round ClickHouse refuses for good (bad data, a column or table
    /// changed by hand, too many partitions: see <c>ClickHouseErrors</c>) before the round moves to the
    /// quarantine folder and the rounds behind it go on. Backoff between attempts as for any failure.
    /// </summary>
    [Range(1, 1000)]
    public int PoisonRetries { get; set; } = 3;

    /// <summary>
    /// A ClickHouse cluster (issue 19): each shard a list of its replicas' URLs
    /// (<c>Shards:0:Replicas:0=http://10.0.0.1:8123</c>). Empty (the default) is one server at <see cref="Url"/>,
    /// as before. The schema for a cluster: <c>clickhouse/cluster/README.md</c>.
    /// </summary>
    public IList<ClickHouseShardOptions> Shards { get; } = [];

    /// <summary>The cluster's name in the servers' <c>remote_servers</c>; the Distributed tables and <c>ON CLUSTER</c> name it.</summary>
    [Required]
    [RegularExpression(IdentifierPattern)]
    public string Cluster { get; set; } = "fastingest";

    /// <summary>
    /// The database of the per-shard (local) tables, the write doors and their views on every server of the
    /// cluster; <see cref="Database"/> holds the Distributed tables every read goes through. Defaults to
    /// <c>&lt;Database&gt;_local</c>.
    /// </summary>
    [RegularExpression(IdentifierPattern)]
    public string LocalDatabase
    {
        get => _localDatabase ?? Database + "_local";
        set => _localDatabase = string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>
    /// Send each schema statement once with <c>ON CLUSTER</c> (needs ZooKeeper or ClickHouse Keeper and the
    /// servers' <c>distributed_ddl</c>) instead of applying it to every server directly, which works without.
    /// </summary>
    public bool OnCluster { get; set; }

    private const string IdentifierPattern = "^[A-Za-z_][A-Za-z0-9_]*$";

    private string? _localDatabase;

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // The binder turns any text into a Uri (relative when it has no scheme); only an absolute
        // http(s) URL reaches ClickHouse, so anything else fails the start naming the key.
        if (Url is not null && !(Url.IsAbsoluteUri && (Url.Scheme == Uri.UriSchemeHttp || Url.Scheme == Uri.UriSchemeHttps)))
        {
            yield return new ValidationResult(
                $"{SectionName}:Url '{Url.OriginalString}' is not an absolute http:// or https:// URL (e.g. http://127.0.0.1:8123)", [nameof(Url)]);
        }

        foreach (ValidationResult result in ValidateCluster())
        {
            yield return result;
        }
    }

    private IEnumerable<ValidationResult> ValidateCluster()
    {
        for (int shard = 0; shard < Shards.Count; shard++)
        {
            IList<Uri> replicas = Shards[shard].Replicas;
            if (replicas.Count == 0)
            {
                yield return new ValidationResult(
                    $"{SectionName}:Shards:{shard} has no replica; give at least one URL as {SectionName}:Shards:{shard}:Replicas:0", [nameof(Shards)]);
            }

            for (int replica = 0; replica < replicas.Count; replica++)
            {
                if (!IsHttpUrl(replicas[replica]))
                {
                    yield return new ValidationResult(
                        $"{SectionName}:Shards:{shard}:Replicas:{replica} '{replicas[replica]?.OriginalString}' is not an absolute http:// or https:// URL", [nameof(Shards)]);
                }
            }
        }

        // A Distributed table over itself would read (and on insert, write) in a loop.
        if (string.Equals(LocalDatabase, Database, StringComparison.Ordinal))
        {
            yield return new ValidationResult(
                $"{SectionName}:LocalDatabase '{LocalDatabase}' must differ from {SectionName}:Database: one holds the shard's tables, the other the Distributed tables over them",
                [nameof(LocalDatabase)]);
        }

        if (OnCluster && Shards.Count == 0)
        {
            yield return new ValidationResult(
                $"{SectionName}:OnCluster needs {SectionName}:Shards (the servers FastIngest writes to); one server needs no ON CLUSTER", [nameof(OnCluster)]);
        }
    }

    private static bool IsHttpUrl(Uri? url) =>
        url is not null && url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps);
}

using System.ComponentModel.DataAnnotations;

namespace FastIngest.Core.ClickHouse;

/// <summary>Configuration section <c>FastIngest:ClickHouse</c>.</summary>
public sealed class ClickHouseOptions : IValidatableObject
{
    public const string SectionName = "FastIngest:ClickHouse";

    private string? _localDatabase;

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
    /// The shards of a ClickHouse cluster (issue 19), each a list of replica URLs:
    /// <c>Shards:0:Replicas:0=http://10.0.0.1:8123</c>. Rows go to a shard by tenant (<c>TenantShard</c>),
    /// each shard with a spool, ledger and replay of its own. Empty (the default): the one server at
    /// <see cref="Url"/>, as before.
    /// </summary>
    public List<ClickHouseShardOptions> Shards { get; set; } = [];

    /// <summary>The cluster's name in the servers' <c>remote_servers</c>, which the <c>Distributed</c> tables name.</summary>
    [Required]
    [RegularExpression("^[A-Za-z_][A-Za-z0-9_]*$")]
    public string Cluster { get; set; } = "fastingest";

    /// <summary>
    /// With <see cref="Shards"/>: the database of each shard's local tables, where inserts go
    /// (<c>&lt;LocalDatabase&gt;.&lt;table&gt;_in</c>); reads keep using <see cref="Database"/> (its
    /// <c>Distributed</c> tables). Default <c>&lt;Database&gt;_local</c>.
    /// </summary>
    [RegularExpression("^[A-Za-z_][A-Za-z0-9_]*$")]
    public string LocalDatabase
    {
        get => _localDatabase ?? Database + "_local";
        set => _localDatabase = value;
    }

    /// <summary>These options for one shard's sink: its first replica's URL and the local database.</summary>
    internal ClickHouseOptions ForShard(ClickHouseShardOptions shard)
    {
        var copy = (ClickHouseOptions)MemberwiseClone();
        copy.Url = shard.Replicas[0];
        copy.Database = LocalDatabase;
        copy._localDatabase = LocalDatabase;
        copy.Shards = [];
        copy.Whole = this;
        return copy;
    }

    /// <summary>On a shard's options (<see cref="ForShard"/>): the cluster's, which name the Distributed tables' database.</summary>
    internal ClickHouseOptions? Whole { get; private set; }

    /// <summary>
    /// Send each schema statement once with <c>ON CLUSTER</c> (needs ZooKeeper or ClickHouse Keeper and the
    /// servers' <c>distributed_ddl</c>) instead of applying it to every server directly, which works without.
    /// </summary>
    public bool OnCluster { get; set; }

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // The binder turns any text into a Uri (relative when it has no scheme); only an absolute
        // http(s) URL reaches ClickHouse, so anything else fails the start naming the key.
        if (Url is not null && !IsHttpUrl(Url))
        {
            yield return new ValidationResult(
                $"{SectionName}:Url '{Url.OriginalString}' is not an absolute http:// or https:// URL (e.g. http://127.0.0.1:8123)", [nameof(Url)]);
        }

        for (int i = 0; i < Shards.Count; i++)
        {
            List<Uri> replicas = Shards[i].Replicas;
            if (replicas.Count == 0)
            {
                yield return new ValidationResult(
                    $"{SectionName}:Shards:{i} has no replicas: give at least {SectionName}:Shards:{i}:Replicas:0 (e.g. http://10.0.0.1:8123)", [nameof(Shards)]);
            }

            for (int j = 0; j < replicas.Count; j++)
            {
                Uri replica = replicas[j];
                if (!IsHttpUrl(replica))
                {
                    yield return new ValidationResult(
                        $"{SectionName}:Shards:{i}:Replicas:{j} '{replica?.OriginalString}' is not an absolute http:// or https:// URL (e.g. http://10.0.0.1:8123)", [nameof(Shards)]);
                }
            }
        }

        if (Shards.Count > 0 && string.Equals(LocalDatabase, Database, StringComparison.Ordinal))
        {
            // Reads go through Database's Distributed tables, inserts into LocalDatabase's: one name can't be both.
            yield return new ValidationResult(
                $"{SectionName}:LocalDatabase '{LocalDatabase}' must differ from {SectionName}:Database when {SectionName}:Shards is set", [nameof(LocalDatabase)]);
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

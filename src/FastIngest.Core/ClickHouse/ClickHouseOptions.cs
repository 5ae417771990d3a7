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
    }
}

using System.ComponentModel.DataAnnotations;
using FastIngest.Core.Parsing;

namespace FastIngest.Core.Aggregation;

/// <summary>
/// Configuration section <c>FastIngest:RawRows</c>: one row per request in <c>requests_raw</c> for the
/// listed tenants, to drill down to the requests behind a number (issue 16, item 4). Off by default.
/// </summary>
/// <remarks>
/// There is deliberately no "*" (every tenant): any door lets an anonymous sender name a new tenant, and
/// with all tenants opted in a flood of invented ones would take the per-shard cap from the real ones
/// (and fill <c>requests_raw</c> with their rows). Listed tenants are configured ones: always admitted,
/// never forgotten, like <c>FastIngest:Tenants</c>.
/// </remarks>
public sealed class RawRowsOptions : IValidatableObject
{
    public const string SectionName = "FastIngest:RawRows";

    /// <summary>Tenants whose requests get a row each; empty (the default): none, and no cost per line.</summary>
    public IList<string> Tenants { get; } = [];

    /// <summary>
    /// Rows a shard keeps per flush interval, all opted-in tenants together; further requests of the
    /// interval still count everywhere else, and are counted in <c>fastingest_raw_rows_dropped_total</c>.
    /// A row takes at most ~870 bytes (<see cref="Sinks.RawRowSet.MaxRowTextBytes"/> of text and the row),
    /// so the default costs at most ~3.4 MiB per shard per set in flight (docs/operations.md#bounds).
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxRowsPerFlush { get; set; } = 4096;

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        TenantNameList.Validate(Tenants, $"{SectionName}:Tenants", nameof(Tenants), TenantNameList.NoWildcard);
}

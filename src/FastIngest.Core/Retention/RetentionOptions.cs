using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace FastIngest.Core.Retention;

/// <summary>
/// Configuration section <c>FastIngest:Retention</c>: how long each table keeps its rows. Without an
/// entry in <see cref="Days"/> a table follows <see cref="RetentionRule"/> (by its name's suffix).
/// </summary>
public sealed partial class RetentionOptions : IValidatableObject
{
    public const string SectionName = "FastIngest:Retention";

    /// <summary>Longest retention one may set: a century, far past any partition FastIngest writes.</summary>
    public const int MaxDays = 36_500;

    /// <summary>False: FastIngest neither sets TTLs nor drops partitions (the operator owns retention).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Days per table name, overriding the rule (<c>FastIngest:Retention:Days:traffic_1m = 30</c>); 0 keeps
    /// the table's rows for good (and removes a TTL FastIngest set before).
    /// </summary>
    public Dictionary<string, int> Days { get; set; } = [];

    /// <summary>
    /// How often FastIngest looks again: drops expired partitions where the server has no TTL (18.16), and
    /// the expired months of <c>insert_ledger</c> on every version; sets the TTL of a table that appeared since.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach ((string table, int days) in Days)
        {
            if (!TableName().IsMatch(table))
            {
                yield return new ValidationResult($"{SectionName}:Days:{table}: '{table}' is not a table name", [nameof(Days)]);
            }

            if (days is < 0 or > MaxDays)
            {
                yield return new ValidationResult($"{SectionName}:Days:{table} = {days}: days must be 0 (keep) to {MaxDays}", [nameof(Days)]);
            }
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex TableName();
}

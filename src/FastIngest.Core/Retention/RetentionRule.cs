namespace FastIngest.Core.Retention;

/// <summary>
/// How many days a table keeps its rows: a configured override first, then the rule by name, so tables
/// added later (rollups, <c>requests_raw</c>) are covered without a list to keep up to date.
/// </summary>
/// <remarks>
/// The rule (issue 16): <c>*_1m</c> 14 days, <c>*_1h</c> 400 days, <c>*_1d</c> kept, <c>ingest_errors</c> 30,
/// <c>insert_ledger</c> 7, <c>requests_raw</c> 7. Any other table is kept: FastIngest never deletes
/// rows of a table it has no rule for, so a table an operator adds to the database is safe.
/// </remarks>
internal sealed class RetentionRule
{
    public const int MinuteDays = 14;
    public const int HourDays = 400;
    public const int IngestErrorsDays = 30;
    public const int InsertLedgerDays = 7;
    public const int RequestsRawDays = 7;

    private readonly Dictionary<string, int> _overrides;

    public RetentionRule(IReadOnlyDictionary<string, int> overrides)
    {
        _overrides = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach ((string table, int days) in overrides)
        {
            _overrides[table] = days;
        }
    }

    /// <summary>Days <paramref name="table"/> keeps its rows; 0 = for good.</summary>
    public int DaysFor(string table) => _overrides.TryGetValue(table, out int days) ? days : DefaultDays(table);

    /// <summary>The rule by name alone; 0 = kept for good.</summary>
    public static int DefaultDays(string table) => table switch
    {
        "insert_ledger" => InsertLedgerDays,
        "ingest_errors" => IngestErrorsDays,
        "requests_raw" => RequestsRawDays,
        _ when table.EndsWith("_1m", StringComparison.Ordinal) => MinuteDays,
        _ when table.EndsWith("_1h", StringComparison.Ordinal) => HourDays,
        _ => 0,
    };
}

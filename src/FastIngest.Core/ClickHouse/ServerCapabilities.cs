using System.Globalization;
using ClickHouse.Driver;

namespace FastIngest.Core.ClickHouse;

/// <summary>
/// What the ClickHouse server FastIngest talks to can do, learnt once from <c>version()</c>. This is the
/// one place where ClickHouse 18.16 and modern servers differ in code: anything that needs a difference
/// asks here rather than testing a version or catching a syntax error of its own.
/// </summary>
/// <remarks>
/// Differences that need no branch, because FastIngest uses the form both versions take (see
/// <c>/work/shared/clickhouse-18.16.md</c> and <c>clickhouse/schema.sql</c>): no query parameters
/// (<see cref="ClickHouseSql.Quote"/>), RowBinary rather than RowBinaryWithNamesAndTypes (the driver's raw
/// paths only, <see cref="ClickHouseClients"/>), no LowCardinality, CODEC, DateTime64, Map or IPv4 in the
/// schema, materialized views fed from the <c>_in</c> write doors rather than chained (18.16 runs a door's
/// views by name, <c>_in_ledger</c> before <c>_in_mv</c>: see <c>ReplayGenerations</c>), and no
/// <c>X-ClickHouse-Summary</c> (rows are counted client-side). The ones that do branch:
/// <see cref="HasTtl"/> (retention: a table <c>TTL</c>, or FastIngest dropping expired partitions) and
/// <see cref="HasInsertDeduplicationToken"/> (a cluster's sink: ClickHouse's own deduplication of retries).
/// </remarks>
internal sealed class ServerCapabilities
{
    /// <summary>Table TTL came with ClickHouse 19.6.</summary>
    public static readonly Version FirstWithTtl = new(19, 6);

    /// <summary><c>insert_deduplication_token</c> came with ClickHouse 22.2.</summary>
    public static readonly Version FirstWithDeduplicationToken = new(22, 2);

    private ServerCapabilities(Version version) => Version = version;

    /// <summary>The server's version, major.minor[.patch[.build]] as <c>version()</c> gave it.</summary>
    public Version Version { get; }

    /// <summary><c>TTL</c> on MergeTree tables (19.6 and later); without it expired partitions are dropped by FastIngest.</summary>
    public bool HasTtl => Version >= FirstWithTtl;

    /// <summary>
    /// The <c>insert_deduplication_token</c> setting (22.2 and later): a retried insert into Replicated
    /// tables is recognised by ClickHouse too. 18.16 has none; there the ledger alone keeps retries single.
    /// </summary>
    public bool HasInsertDeduplicationToken => Version >= FirstWithDeduplicationToken;

    /// <summary>Reads <c>version()</c>'s text (<c>18.16.1</c>, <c>26.7.1.1</c>).</summary>
    public static ServerCapabilities Parse(string version)
    {
        string text = version.Trim();
        // Anything after the numbers (a "-testing" suffix, say) does not change what the server can do.
        int end = 0;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] == '.'))
        {
            end++;
        }

        string[] parts = text[..end].Split('.', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2)
        {
            throw new FormatException($"ClickHouse version() answered '{version}', not a version number.");
        }

        int major = int.Parse(parts[0], CultureInfo.InvariantCulture);
        int minor = int.Parse(parts[1], CultureInfo.InvariantCulture);
        int patch = parts.Length > 2 ? int.Parse(parts[2], CultureInfo.InvariantCulture) : 0;
        return new ServerCapabilities(new Version(major, minor, patch));
    }

    /// <summary>Asks the server once; call at start (or on the first use) and keep the answer.</summary>
    public static async Task<ServerCapabilities> LearnAsync(ClickHouseClient client, CancellationToken cancellationToken) =>
        Parse(await client.QueryTextAsync("SELECT version() FORMAT TSV", cancellationToken).ConfigureAwait(false));

    public override string ToString() => Version.ToString();
}

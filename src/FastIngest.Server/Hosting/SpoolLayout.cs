using System.Globalization;
using FastIngest.Core.Sinks.ClickHouse;
using FastIngest.Server.Infrastructure;

namespace FastIngest.Server.Hosting;

/// <summary>
/// Rounds spooled under one ClickHouse layout are replayed only under the same one: the single server's
/// (segments in the spool folder itself) by a start without <c>ClickHouse:Shards</c>, shard i's
/// (<c>shard-&lt;i&gt;</c>) by a start with at least i + 1 shards. A start that would leave some behind
/// refuses and names them: they are counted traffic, and nothing else would ever say they were there.
/// </summary>
internal static class SpoolLayout
{
    private const string Segments = "segment-*.spool";

    /// <summary>Throws a <see cref="StartupException"/> when <paramref name="spoolDirectory"/> holds rounds a start with <paramref name="shards"/> shards (0: one server) never replays.</summary>
    public static void RefuseOrphanedRounds(string spoolDirectory, int shards)
    {
        if (!Directory.Exists(spoolDirectory))
        {
            return;
        }

        var orphaned = new List<string>();
        if (shards > 0 && Directory.EnumerateFiles(spoolDirectory, Segments).Any())
        {
            orphaned.Add($"{spoolDirectory} (the single server's, written without FastIngest:ClickHouse:Shards)");
        }

        foreach (string folder in Directory.EnumerateDirectories(spoolDirectory, "shard-*").Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(folder);
            bool replayed = int.TryParse(name.AsSpan("shard-".Length), NumberStyles.None, CultureInfo.InvariantCulture, out int shard) && shard < shards
                && folder == ShardedClickHouseSink.ShardSpoolDirectory(spoolDirectory, shard);
            if (!replayed && Directory.EnumerateFiles(folder, Segments).Any())
            {
                orphaned.Add($"{folder} (shard {name["shard-".Length..]}'s, written with FastIngest:ClickHouse:Shards)");
            }
        }

        if (orphaned.Count > 0)
        {
            string layout = shards switch { 0 => "one server (no FastIngest:ClickHouse:Shards)", 1 => "1 shard", _ => $"{shards} shards" };
            throw new StartupException(
                $"spooled rounds this start with {layout} would never replay: {string.Join(", ", orphaned)}. Start with the ClickHouse settings that spooled them until fastingest_spool_records is 0, then change them (docs/scaling-out.md, \"Changing the layout\")");
        }
    }
}

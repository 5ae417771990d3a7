using FastIngest.Server.Hosting;
using FastIngest.Server.Infrastructure;

namespace FastIngest.Tests.Hosting;

/// <summary>A start refuses only when a spool folder holds rounds its ClickHouse layout never replays.</summary>
public sealed class SpoolLayoutTests
{
    [Theory]
    [InlineData(0, new string[0])]
    [InlineData(2, new string[0])]
    [InlineData(0, new[] { "segment-000000000001.spool" })]
    [InlineData(2, new[] { "shard-0/segment-000000000001.spool", "shard-1/segment-000000000003.spool" })]
    [InlineData(3, new[] { "shard-2/segment-000000000001.spool" })]
    [InlineData(2, new[] { "quarantine/round-1.spool", "shard-5/quarantine/round-1.spool" })] // quarantines are `spool retry`'s
    [InlineData(0, new[] { "shard-0/other.txt" })]
    public void AStartWhoseLayoutReplaysEverySpooledRoundGoesOn(int shards, string[] files)
    {
        using var spool = new TempFolder("layout");
        Create(spool.Path, files);
        SpoolLayout.RefuseOrphanedRounds(spool.Path, shards);
    }

    [Theory]
    [InlineData(2, "segment-000000000001.spool", "(the single server's, written without FastIngest:ClickHouse:Shards)")]
    [InlineData(0, "shard-1/segment-000000000001.spool", "shard-1 (shard 1's, written with FastIngest:ClickHouse:Shards)")]
    [InlineData(2, "shard-2/segment-000000000001.spool", "shard-2 (shard 2's")]
    [InlineData(2, "shard-01/segment-000000000001.spool", "shard-01 (shard 01's")]
    [InlineData(1, "segment-000000000001.spool", "this start with 1 shard would never replay")]
    public void AStartThatWouldLeaveSpooledRoundsBehindRefusesAndNamesThem(int shards, string file, string named)
    {
        using var spool = new TempFolder("layout");
        Create(spool.Path, [file]);
        StartupException refused = Assert.Throws<StartupException>(() => SpoolLayout.RefuseOrphanedRounds(spool.Path, shards));
        Assert.Contains(named, refused.Message, StringComparison.Ordinal);
        Assert.Contains(shards switch { 0 => "with one server (no FastIngest:ClickHouse:Shards)", 1 => "with 1 shard ", _ => $"with {shards} shards" }, refused.Message, StringComparison.Ordinal);
        Assert.Contains("until fastingest_spool_records is 0", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFirstStartHasNoSpoolFolderYet() =>
        SpoolLayout.RefuseOrphanedRounds(Path.Combine(Path.GetTempPath(), "fastingest-no-spool-" + Guid.NewGuid().ToString("N")), 2);

    private static void Create(string root, string[] files)
    {
        foreach (string file in files)
        {
            string path = Path.Combine(root, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, [1, 2, 3]);
        }
    }
}

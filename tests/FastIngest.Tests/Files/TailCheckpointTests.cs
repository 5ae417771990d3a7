using FastIngest.Server.Files;

namespace FastIngest.Tests.Files;

/// <summary>Tail checkpoints on a real file system that fills up (a tmpfs): issue 13, item 5.</summary>
public sealed class TailCheckpointTests
{
    [Fact]
    public void ASaveTheDiskRefusesLeavesTheLastCheckpointAndNoTornCopy()
    {
        using var disk = new TmpfsMount("tailenospc", 1L << 20);
        string path = Path.Combine(disk.Path, "tail-1.json");
        new TailCheckpoint(1, 2, 10, "AB", Offset: 100).Save(path);

        string filler = disk.Fill("filler", leaveFreeBytes: 0);
        Assert.ThrowsAny<IOException>(() => new TailCheckpoint(1, 2, 10, "AB", Offset: 200).Save(path));
        Assert.Equal(100, TailCheckpoint.Load(path)?.Offset);
        Assert.False(File.Exists(path + ".tmp"));

        File.Delete(filler);
        new TailCheckpoint(1, 2, 10, "AB", Offset: 300).Save(path);
        Assert.Equal(300, TailCheckpoint.Load(path)?.Offset);
    }
}

using System.Text;
using FastIngest.Server.Import;

namespace FastIngest.Tests.Import;

/// <summary>The import ledger on a real file system that fills up (a tmpfs): issue 13, item 5.</summary>
public sealed class ImportLedgerTests
{
    [Fact]
    public void AnEntryTheDiskRefusesThrowsAndLeavesTheLedgerReadable()
    {
        using var disk = new TmpfsMount("ledgerenospc", 1L << 20);
        byte[] first = Encoding.UTF8.GetBytes("first file's head");
        byte[] second = Encoding.UTF8.GetBytes("second file's head");
        new ImportLedger(disk.Path).Record("acme", "combined", first, 1_000, "/logs/a.log");

        string filler = disk.Fill("filler", leaveFreeBytes: 0);
        // A path longer than what is left of the ledger's last page: the line reaches the disk in part.
        string longPath = "/logs/" + new string('b', 64 * 1024) + ".log";
        Assert.ThrowsAny<IOException>(() => new ImportLedger(disk.Path).Record("acme", "combined", second, 2_000, longPath));
        var afterFault = new ImportLedger(disk.Path);
        Assert.Equal(1_000, afterFault.ImportedBytes("acme", "combined", first));
        Assert.Equal(0, afterFault.ImportedBytes("acme", "combined", second));

        File.Delete(filler);
        afterFault.Record("acme", "combined", second, 2_000, "/logs/b.log");
        var reread = new ImportLedger(disk.Path);
        Assert.Equal(1_000, reread.ImportedBytes("acme", "combined", first));
        Assert.Equal(2_000, reread.ImportedBytes("acme", "combined", second));
    }
}

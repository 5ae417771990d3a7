using System.Text;
using FastIngest.Core.Internal;
using FastIngest.Core.Sinks.Spool;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastIngest.Tests.Sinks.Spool;

public sealed class DiskSpoolTests : IDisposable
{
    private readonly TempFolder _folder = new("spooltest");

    public void Dispose() => _folder.Dispose();

    private DiskSpool Open(long maxBytes = 1L << 30, long segmentBytes = 64L << 20) =>
        DiskSpool.Open(new SpoolOptions { Directory = _folder.Path, MaxBytes = maxBytes, SegmentBytes = segmentBytes }, NullLogger.Instance);

    private static byte[] Record(int i) => Encoding.UTF8.GetBytes($"record {i} " + new string((char)('a' + (i % 26)), 100 + i));

    private static List<string> Drain(DiskSpool spool)
    {
        var read = new List<string>();
        using var buffer = new PooledBufferWriter();
        while (spool.TryReadOldest(buffer))
        {
            read.Add(Encoding.UTF8.GetString(buffer.WrittenSpan));
            spool.AcknowledgeOldest();
        }

        return read;
    }

    private string[] Segments() => Directory.GetFiles(_folder.Path, "segment-*.spool").Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void RecordsComeBackInOrderAcrossSegmentsAndEmptiedSegmentsAreDeleted()
    {
        using DiskSpool spool = Open(segmentBytes: 1L << 16);
        for (int i = 0; i < 2_000; i++)
        {
            Assert.True(spool.TryAppend(Record(i), DateTimeOffset.UtcNow));
        }

        Assert.True(spool.Segments > 1);
        Assert.Equal(2_000, spool.Records);
        Assert.Equal(Enumerable.Range(0, 2_000).Select(i => Encoding.UTF8.GetString(Record(i))), Drain(spool));
        Assert.True(spool.IsEmpty);
        Assert.Equal(0, spool.Bytes);
        Assert.Empty(Segments());
    }

    [Fact]
    public void AReopenedSpoolHasWhatTheLastProcessDidNotAcknowledge()
    {
        using (DiskSpool spool = Open())
        {
            for (int i = 0; i < 10; i++)
            {
                spool.TryAppend(Record(i), DateTimeOffset.UtcNow);
            }

            using var buffer = new PooledBufferWriter();
            Assert.True(spool.TryReadOldest(buffer));
            spool.AcknowledgeOldest();
        }

        using DiskSpool reopened = Open();
        // The acknowledged record's segment is still on disk, so it is read again: the sink's insert
        // ledger, not the spool, is what keeps a replay from counting it twice.
        Assert.Equal(Enumerable.Range(0, 10).Select(i => Encoding.UTF8.GetString(Record(i))), Drain(reopened));
        reopened.TryAppend(Record(99), DateTimeOffset.UtcNow);
        Assert.Single(Segments());
    }

    [Fact]
    public void ARecordTornAtTheEndIsCountedAndTheOnesBeforeItAreKept()
    {
        using (DiskSpool spool = Open())
        {
            for (int i = 0; i < 5; i++)
            {
                spool.TryAppend(Record(i), DateTimeOffset.UtcNow);
            }
        }

        string segment = Segments().Single();
        using (var file = new FileStream(segment, FileMode.Open))
        {
            file.SetLength(file.Length - 7);
        }

        using DiskSpool reopened = Open();
        Assert.Equal(1, reopened.TornRecords);
        Assert.Equal(Enumerable.Range(0, 4).Select(i => Encoding.UTF8.GetString(Record(i))), Drain(reopened));
    }

    [Fact]
    public void ARecordDamagedInTheMiddleIsSkippedAndTheRestIsKept()
    {
        using (DiskSpool spool = Open())
        {
            for (int i = 0; i < 3; i++)
            {
                spool.TryAppend(Record(i), DateTimeOffset.UtcNow);
            }
        }

        string segment = Segments().Single();
        byte[] bytes = File.ReadAllBytes(segment);
        // The second record starts after the first (28-byte header + body); flip a byte of its body.
        int firstLength = 28 + BitConverter.ToInt32(bytes, 4);
        bytes[firstLength + 28 + 3] ^= 0xFF;
        File.WriteAllBytes(segment, bytes);

        using DiskSpool reopened = Open();
        Assert.Equal(1, reopened.TornRecords);
        Assert.Equal(new[] { 0, 2 }.Select(i => Encoding.UTF8.GetString(Record(i))), Drain(reopened));
    }

    [Fact]
    public void AFullSpoolRefusesAndTakesAgainOnceReplayMadeRoom()
    {
        using DiskSpool spool = Open(maxBytes: 1L << 20, segmentBytes: 1L << 16);
        var random = new Random(5);
        byte[] incompressible = new byte[64 * 1024];
        int appended = 0;
        while (true)
        {
            random.NextBytes(incompressible);
            if (!spool.TryAppend(incompressible, DateTimeOffset.UtcNow))
            {
                break;
            }

            appended++;
        }

        Assert.InRange(spool.Bytes, (1L << 20) - (70 * 1024), 1L << 20);
        Assert.Equal(appended, spool.Records);
        using var buffer = new PooledBufferWriter();
        Assert.True(spool.TryReadOldest(buffer));
        spool.AcknowledgeOldest();
        Assert.True(spool.TryAppend(Record(1), DateTimeOffset.UtcNow));
    }

    [Theory]
    [InlineData(256 * 1024)]
    [InlineData(1)] // every append starts a segment: the refused one is the new file's first
    public void AWriteTheDiskRefusesLeavesNoPartOfTheRecordAndTheSpoolTakesAgainOnceThereIsRoom(long segmentBytes)
    {
        // A real full file system (ENOSPC), not a simulated one: a 1 MiB tmpfs, mostly taken by a filler.
        using var disk = new TmpfsMount("spoolenospc", 1L << 20);
        string filler = disk.Fill("filler", leaveFreeBytes: 300 * 1024);
        var options = new SpoolOptions { Directory = Path.Combine(disk.Path, "spool"), MaxBytes = 1L << 30, SegmentBytes = segmentBytes };
        var random = new Random(7);
        var records = new List<byte[]>();
        Exception? fault;
        using (DiskSpool spool = DiskSpool.Open(options, NullLogger.Instance))
        {
            while (true)
            {
                byte[] record = new byte[40 * 1024];
                random.NextBytes(record);
                if (!spool.TryAppend(record, DateTimeOffset.UtcNow, out fault))
                {
                    break;
                }

                records.Add(record);
                Assert.True(records.Count < 100, "the disk never refused a write");
            }

            Assert.IsAssignableFrom<IOException>(fault);
            Assert.NotEmpty(records);
            Assert.Equal(records.Count, spool.Records);
            // What reached the disk before the refusal was cut off again: the files hold whole records only.
            Assert.Equal(spool.Bytes, SegmentBytesOn(options.Directory));
            Assert.False(spool.TryAppend(records[0], DateTimeOffset.UtcNow, out fault));
            Assert.NotNull(fault);
            Assert.Equal(spool.Bytes, SegmentBytesOn(options.Directory));

            File.Delete(filler);
            byte[] afterwards = Record(1);
            Assert.True(spool.TryAppend(afterwards, DateTimeOffset.UtcNow, out fault));
            Assert.Null(fault);
            records.Add(afterwards);
        }

        using DiskSpool reopened = DiskSpool.Open(options, NullLogger.Instance);
        Assert.Equal(0, reopened.TornRecords);
        var read = new List<byte[]>();
        using var buffer = new PooledBufferWriter();
        while (reopened.TryReadOldest(buffer))
        {
            read.Add(buffer.WrittenSpan.ToArray());
            reopened.AcknowledgeOldest();
        }

        Assert.Equal(records, read);
    }

    private static long SegmentBytesOn(string directory) =>
        Directory.GetFiles(directory, "segment-*.spool").Sum(path => new FileInfo(path).Length);

    [Fact]
    public void ASecondProcessCannotOpenTheSameSpool()
    {
        using DiskSpool first = Open();
        IOException error = Assert.Throws<IOException>(() => Open());
        Assert.Contains("in use", error.Message, StringComparison.Ordinal);
    }
}

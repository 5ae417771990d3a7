using FastIngest.Core.ClickHouse;
using FastIngest.Core.Internal;
using FastIngest.Core.Sinks;
using FastIngest.Core.Sinks.ClickHouse;

namespace FastIngest.Tests.Sinks.ClickHouse;

public sealed class RoundQuarantineTests : IDisposable
{
    private readonly TempFolder _folder = new("quarantine");

    public void Dispose() => _folder.Dispose();

    private static InsertRound Round(ulong hits)
    {
        var round = new InsertRound();
        round.Reset();
        var batch = new FlushBatch { PixelHits = (long)hits };
        batch.Pixels.Add(new PixelRow("shop"u8.ToArray(), "home"u8.ToArray(), 1_700_000_040, hits));
        round.Add(batch);
        return round;
    }

    private static PoisonRoundException Refusal() =>
        new("pixel_1m", new ClickHouseRefusal(true, 16, "NO_SUCH_COLUMN_IN_TABLE"),
            new ClickHouseException(500, "Code: 16, e.displayText() = DB::Exception: No such column hits in table pixel_1m_in"));

    [Fact]
    public void AQuarantinedRoundComesBackWithItsInsertIdsAndANoteSaysWhy()
    {
        var quarantine = new RoundQuarantine(_folder.Path, 1L << 30);
        Assert.Empty(quarantine.List());
        using InsertRound round = Round(7);
        using var record = new PooledBufferWriter();
        round.WriteTo(record);

        QuarantinedRound added = quarantine.Add(record.WrittenSpan, round, Refusal(), attempts: 3, DateTimeOffset.UtcNow);

        QuarantinedRound listed = Assert.Single(quarantine.List());
        Assert.Equal(added.Name, listed.Name);
        Assert.Equal((1, (long)record.WrittenCount), quarantine.Scan());
        Assert.Equal(Path.Combine(_folder.Path, "quarantine"), Path.GetDirectoryName(listed.RoundPath));
        using var back = new InsertRound();
        Assert.True(back.TryReadFrom(RoundQuarantine.Read(listed)));
        Assert.Equal(7, back.PixelHits);
        Assert.Equal(round.Tables[TableEncoders.Pixel].InsertId, back.Tables[TableEncoders.Pixel].InsertId);
        string note = RoundQuarantine.ReadNote(listed)!;
        Assert.Contains("\"code\": 16", note, StringComparison.Ordinal);
        Assert.Contains("\"table\": \"pixel_1m\"", note, StringComparison.Ordinal);
        Assert.Contains("\"attempts\": 3", note, StringComparison.Ordinal);
        Assert.Contains("No such column hits", note, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(quarantine.Directory, "*.tmp"));

        RoundQuarantine.Remove(listed);
        Assert.Empty(quarantine.List());
        Assert.Empty(Directory.GetFiles(quarantine.Directory, "*.json"));
    }

    [Fact]
    public void TheSameRoundQuarantinedTwiceIsOneFile()
    {
        // A crash between the quarantine's write and the spool's acknowledgement replays the round at the next start.
        var quarantine = new RoundQuarantine(_folder.Path, 1L << 30);
        using InsertRound round = Round(2);
        using var record = new PooledBufferWriter();
        round.WriteTo(record);
        quarantine.Add(record.WrittenSpan, round, Refusal(), 3, DateTimeOffset.UtcNow);
        quarantine.Add(record.WrittenSpan, round, Refusal(), 3, DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.Single(quarantine.List());
    }

    [Fact]
    public void OnlyOneRetryHoldsTheLock()
    {
        var quarantine = new RoundQuarantine(_folder.Path, 1L << 30);
        using (FileStream? first = quarantine.TryLockForRetry())
        {
            Assert.NotNull(first);
            Assert.Null(quarantine.TryLockForRetry());
        }

        using FileStream? again = quarantine.TryLockForRetry();
        Assert.NotNull(again);
    }

    [Fact]
    public void AFullDiskRefusesTheQuarantineWholeAndItWorksAgainOnceThereIsRoom()
    {
        // A real 1 MiB file system with 8 KiB left: the note fits, the 64 KiB round does not.
        using var disk = new TmpfsMount("quarantinenospc", 1L << 20);
        var quarantine = new RoundQuarantine(disk.Path, 1L << 30);
        Directory.CreateDirectory(quarantine.Directory);
        string filler = disk.Fill("filler", leaveFreeBytes: 8 * 1024);
        using InsertRound round = Round(5);
        byte[] record = new byte[64 * 1024];

        Assert.ThrowsAny<IOException>(() => quarantine.Add(record, round, Refusal(), 3, DateTimeOffset.UtcNow));
        Assert.Empty(quarantine.List());
        Assert.Empty(Directory.GetFiles(quarantine.Directory));

        File.Delete(filler);
        quarantine.Add(record, round, Refusal(), 3, DateTimeOffset.UtcNow);
        Assert.Equal((1, (long)record.Length), quarantine.Scan());
    }

    [Fact]
    public void TheNoteCarriesEachInsertsGenerationAndTheRetryPutsTheRoundBackAtIt()
    {
        var quarantine = new RoundQuarantine(_folder.Path, 1L << 30);
        using InsertRound round = Round(7);
        TableInsert pixel = round.Tables[TableEncoders.Pixel];
        ulong original = pixel.OriginalId;
        using var record = new PooledBufferWriter();
        round.WriteTo(record); // the spool record, at the original id
        pixel.Rekey(2); // refused twice before it was set aside
        QuarantinedRound added = quarantine.Add(record.WrittenSpan, round, Refusal(), attempts: 3, DateTimeOffset.UtcNow);
        Assert.Contains("\"generation\": 2", RoundQuarantine.ReadNote(added)!, StringComparison.Ordinal);

        using var back = new InsertRound();
        Assert.True(back.TryReadFrom(RoundQuarantine.Read(added)));
        Assert.Equal(original, back.Tables[TableEncoders.Pixel].InsertId);
        Assert.False(RoundQuarantine.ApplyGenerations(added, back));
        Assert.Equal(InsertIds.Derive(original, 2), back.Tables[TableEncoders.Pixel].InsertId);

        // Refused again: the next generation, saved in the note, is what the next retry uses.
        back.Tables[TableEncoders.Pixel].Rekey(3);
        RoundQuarantine.SaveGenerations(added, back);
        using var again = new InsertRound();
        Assert.True(again.TryReadFrom(RoundQuarantine.Read(added)));
        RoundQuarantine.ApplyGenerations(added, again);
        Assert.Equal(InsertIds.Derive(original, 3), again.Tables[TableEncoders.Pixel].InsertId);
        Assert.Contains("\"code\": 16", RoundQuarantine.ReadNote(added)!, StringComparison.Ordinal);
    }

    [Fact]
    public void ANoteWithoutGenerationsMovesTheRefusedTableToGenerationOne()
    {
        var quarantine = new RoundQuarantine(_folder.Path, 1L << 30);
        using InsertRound round = Round(7);
        using var record = new PooledBufferWriter();
        round.WriteTo(record);
        QuarantinedRound added = quarantine.Add(record.WrittenSpan, round, Refusal(), attempts: 3, DateTimeOffset.UtcNow);
        // As the version before generations wrote it.
        File.WriteAllText(added.NotePath, RoundQuarantine.ReadNote(added)!.Replace("\"generation\": 0,", "", StringComparison.Ordinal));

        using var back = new InsertRound();
        Assert.True(back.TryReadFrom(RoundQuarantine.Read(added)));
        Assert.True(RoundQuarantine.ApplyGenerations(added, back));
        TableInsert pixel = back.Tables[TableEncoders.Pixel];
        Assert.Equal(InsertIds.Derive(pixel.OriginalId, 1), pixel.InsertId);
    }

    [Fact]
    public void ReplayGenerationsSurviveARestartForTheSameRoundOnly()
    {
        using InsertRound round = Round(7);
        TableInsert pixel = round.Tables[TableEncoders.Pixel];
        using var record = new PooledBufferWriter();
        round.WriteTo(record); // the spool record, at the original id
        var generations = new ReplayGenerations(_folder.Path);
        Assert.False(generations.Advance(round)); // nothing refused
        pixel.Refused = true;
        Assert.True(generations.Advance(round));
        Assert.Equal(1, pixel.Generation);
        Assert.False(pixel.Refused);

        // A restart: the round read from the spool again, at its original id, goes back to generation 1.
        using var replayed = new InsertRound();
        Assert.True(replayed.TryReadFrom(record.WrittenSpan));
        new ReplayGenerations(_folder.Path).ApplyTo(replayed);
        Assert.Equal(InsertIds.Derive(pixel.OriginalId, 1), replayed.Tables[TableEncoders.Pixel].InsertId);

        // Another round is not moved; once forgotten, neither is this one.
        using InsertRound other = Round(3);
        new ReplayGenerations(_folder.Path).ApplyTo(other);
        Assert.Equal(0, other.Tables[TableEncoders.Pixel].Generation);
        Assert.True(File.Exists(Path.Combine(_folder.Path, "replay-generations")));
        generations.Forget();
        Assert.False(File.Exists(Path.Combine(_folder.Path, "replay-generations")));
        using var later = new InsertRound();
        Assert.True(later.TryReadFrom(record.WrittenSpan));
        new ReplayGenerations(_folder.Path).ApplyTo(later);
        Assert.Equal(0, later.Tables[TableEncoders.Pixel].Generation);
    }
}

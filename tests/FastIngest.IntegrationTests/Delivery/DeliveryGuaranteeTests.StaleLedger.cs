using System.Globalization;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.Delivery;

// The write door's views are not transactional: when the DATA view fails (its target changed by hand),
// ClickHouse refuses the insert, yet the ledger view (run first on 18.16: views go by name, `_in_ledger`
// before `_in_mv`) has already recorded its insert id. Before, the replay took that row as "written" and
// dropped the round silently; now a refused insert goes under a new insert id (a generation) each time.
public sealed partial class DeliveryGuaranteeTests
{
    private const int StaleLedgerPixelHits = 30;

    [Fact]
    public async Task AnInsertRefusedByItsTargetLeavesALedgerRowThatNeitherTheReplayNorSpoolRetryTakeAsWritten()
    {
        string db = UniqueName.For("staleledger");
        using var state = new TempFolder("staleledger-state");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db,
            $"--FastIngest:StateDirectory={state.Path}", "--FastIngest:ClickHouse:MaxRetryDelay=00:00:00.200");
        string quarantine = Path.Combine(state.Path, "spool", "quarantine");

        // The TARGET changed by hand, not the door: the insert into pixel_1m_in is accepted, the ledger
        // view writes its row, then the data view fails (Code 53, "while pushing to view …pixel_1m_in_mv").
        await clickHouse.ExecuteAsync($"ALTER TABLE {db}.pixel_1m MODIFY COLUMN hits String");
        await SendPixelHitsAsync(server, StaleLedgerPixelHits);

        // Quarantined, not "sent" by a ledger row without data.
        await Eventually.UntilAsync(() => QuarantinedPixelHits(quarantine), hits => hits >= StaleLedgerPixelHits, TimeSpan.FromSeconds(60),
            "the rounds with the pixel hits to be quarantined (not skipped as written)", TimeSpan.FromMilliseconds(200));
        Assert.Equal(StaleLedgerPixelHits, QuarantinedPixelHits(quarantine));
        string ledger = await clickHouse.QueryAsync($"SELECT insert_id, target, rows FROM {db}.insert_ledger WHERE target = 'pixel_1m' ORDER BY time FORMAT TSV");
        output.WriteLine("insert_ledger rows for pixel_1m while pixel_1m refused every insert:\n" + ledger);
        Assert.NotEqual("", ledger.Trim()); // the refused inserts did leave ledger rows: the bug's premise on 18.16
        Assert.Equal("0", (await clickHouse.QueryAsync($"SELECT count() FROM {db}.pixel_1m FORMAT TSV")).Trim());
        string note = File.ReadAllText(Directory.GetFiles(quarantine, "*.json")[0]);
        output.WriteLine(note);
        Assert.Contains("\"code\": 53", note, StringComparison.Ordinal);
        Assert.Contains("\"generation\": ", note, StringComparison.Ordinal);

        // A retry before the fix is refused again (and moves the ids on); the fix; then every hit once.
        (int exit, string printed) = await SpoolRetryAsync(db, state.Path);
        Assert.NotEqual(0, exit);
        Assert.Contains("still refused", printed, StringComparison.Ordinal);
        await clickHouse.ExecuteAsync($"ALTER TABLE {db}.pixel_1m MODIFY COLUMN hits UInt64");
        string[] kept = [.. Directory.GetFiles(quarantine, "*.round"), .. Directory.GetFiles(quarantine, "*.json")];
        Dictionary<string, byte[]> copies = kept.ToDictionary(path => path, File.ReadAllBytes);
        (exit, printed) = await SpoolRetryAsync(db, state.Path);
        Assert.True(exit == 0, printed);
        Assert.Equal(StaleLedgerPixelHits.ToString(CultureInfo.InvariantCulture), await PixelHitsAsync(db));
        Assert.Empty(Directory.GetFiles(quarantine, "*.round"));

        // A second retry with the rounds put back (a retry that crashed before removing them): no double.
        foreach ((string path, byte[] bytes) in copies)
        {
            File.WriteAllBytes(path, bytes);
        }

        (exit, printed) = await SpoolRetryAsync(db, state.Path);
        Assert.True(exit == 0, printed);
        Assert.Equal(StaleLedgerPixelHits.ToString(CultureInfo.InvariantCulture), await PixelHitsAsync(db));

        // Pixel hits sent now, the target fixed, go straight in: counted once.
        await SendPixelHitsAsync(server, 5);

        await Eventually.UntilAsync(() => PixelHitsAsync(db), hits => hits == (StaleLedgerPixelHits + 5).ToString(CultureInfo.InvariantCulture),
            TimeSpan.FromSeconds(30), "the hits after the fix to be counted");
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal((StaleLedgerPixelHits + 5).ToString(CultureInfo.InvariantCulture), await PixelHitsAsync(db));
    }
}

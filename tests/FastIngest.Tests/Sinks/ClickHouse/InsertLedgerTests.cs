using FastIngest.Core.Sinks.ClickHouse;

namespace FastIngest.Tests.Sinks.ClickHouse;

public sealed class InsertLedgerTests
{
    // A round whose traffic and status inserts have rows (fixed ids) and every other table none.
    private static InsertRound Round()
    {
        var round = new InsertRound();
        round.Reset();
        round.Tables[TableEncoders.Traffic].Rows = 2;
        round.Tables[TableEncoders.Traffic].InsertId = 0x1F;
        round.Tables[TableEncoders.Status].Rows = 3;
        round.Tables[TableEncoders.Status].InsertId = 12_345_678_901_234_567_891;
        return round;
    }

    [Fact]
    public void QueryIdIsTheInsertIdAsSixteenHexDigits()
    {
        Assert.Equal("fastingest-000000000000001f", InsertLedger.QueryId(0x1F));
        Assert.Equal("fastingest-ab54a98ceb1f0ad3", InsertLedger.QueryId(12_345_678_901_234_567_891));
    }

    [Fact]
    public void RunningCheckAsksSystemProcessesForTheQueryIdsOfNonEmptyInsertsOnly()
    {
        using InsertRound round = Round();
        Assert.Equal(
            "SELECT count() FROM system.processes WHERE query_id IN ('fastingest-000000000000001f', 'fastingest-ab54a98ceb1f0ad3') FORMAT TSV",
            InsertLedger.RunningSql(round));
    }

    [Fact]
    public void LedgerLookupSumsRowsPerDecimalInsertIdOfNonEmptyInsertsOnly()
    {
        using InsertRound round = Round();
        Assert.Equal(
            "SELECT insert_id, sum(rows) FROM tenant_db.insert_ledger WHERE insert_id IN (31, 12345678901234567891) GROUP BY insert_id FORMAT TSV",
            InsertLedger.LedgerSql("tenant_db", round));
    }

    [Fact]
    public void ParsesTheLedgerAnswerIntoRowsPerInsertId()
    {
        Dictionary<ulong, long> rows = InsertLedger.ParseRows("31\t2\n12345678901234567891\t1\n");
        Assert.Equal(2, rows.Count);
        Assert.Equal(2, rows[31]);
        Assert.Equal(1, rows[12_345_678_901_234_567_891]);
    }

    [Fact]
    public void AnEmptyLedgerAnswerMeansNoInsertTookEffect()
    {
        Assert.Empty(InsertLedger.ParseRows(""));
    }

    [Fact]
    public void ParsesTheRunningCountWithItsTrailingNewline()
    {
        Assert.Equal(0, InsertLedger.ParseCount("0\n"));
        Assert.Equal(2, InsertLedger.ParseCount("2\n"));
    }
}

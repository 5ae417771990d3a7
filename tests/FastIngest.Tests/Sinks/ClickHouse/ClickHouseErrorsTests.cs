using ClickHouse.Driver;
using FastIngest.Core.ClickHouse;

namespace FastIngest.Tests.Sinks.ClickHouse;

public sealed class ClickHouseErrorsTests
{
    [Theory]
    // 18.x writes "Code: N, e.displayText() = …", 20.x and later "Code: N. DB::Exception: …".
    [InlineData("Code: 16, e.displayText() = DB::Exception: No such column hits in table pixel_1m_in, e.what() = DB::Exception", 16)]
    [InlineData("Code: 60. DB::Exception: Table fastingest.pixel_1m_in does not exist. (UNKNOWN_TABLE) (version 26.7.1.1)", 60)]
    [InlineData("  Code: 252. DB::Exception: Too many partitions for single INSERT block (more than 100). (TOO_MANY_PARTS)", 252)]
    public void ReadsTheCodeOfEitherFormat(string message, int code)
    {
        Assert.True(ClickHouseErrors.TryParseCode(message, out int parsed));
        Assert.Equal(code, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("<html>502 Bad Gateway</html>")]
    [InlineData("Code: ")]
    [InlineData("Code: x")]
    public void AnAnswerWithoutACodeHasNone(string message) => Assert.False(ClickHouseErrors.TryParseCode(message, out _));

    [Theory]
    [InlineData(6, "CANNOT_PARSE_TEXT")]
    [InlineData(16, "NO_SUCH_COLUMN_IN_TABLE")]
    [InlineData(27, "CANNOT_PARSE_INPUT_ASSERTION_FAILED")]
    [InlineData(33, "CANNOT_READ_ALL_DATA")]
    [InlineData(47, "UNKNOWN_IDENTIFIER")]
    [InlineData(53, "TYPE_MISMATCH")]
    [InlineData(60, "UNKNOWN_TABLE")]
    [InlineData(70, "CANNOT_CONVERT_TYPE")]
    [InlineData(81, "UNKNOWN_DATABASE")]
    [InlineData(117, "INCORRECT_DATA")]
    public void BadDataAndAChangedSchemaArePermanent(int code, string name)
    {
        ClickHouseRefusal refusal = ClickHouseErrors.Classify(code, "DB::Exception: whatever");
        Assert.True(refusal.Permanent);
        Assert.Equal(code, refusal.Code);
        Assert.Equal(name, refusal.Name);
    }

    [Theory]
    [InlineData(159)] // TIMEOUT_EXCEEDED
    [InlineData(202)] // TOO_MANY_SIMULTANEOUS_QUERIES
    [InlineData(209)] // SOCKET_TIMEOUT
    [InlineData(210)] // NETWORK_ERROR
    [InlineData(216)] // QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING
    [InlineData(241)] // MEMORY_LIMIT_EXCEEDED
    [InlineData(242)] // TABLE_IS_READ_ONLY
    [InlineData(243)] // NOT_ENOUGH_SPACE
    [InlineData(497)] // ACCESS_DENIED: every insert alike, not this round
    [InlineData(516)] // AUTHENTICATION_FAILED
    [InlineData(99_999)] // a code this version does not know: as before, retried
    public void OverloadTimeoutsCredentialsAndUnknownCodesAreTransient(int code) =>
        Assert.False(ClickHouseErrors.Classify(code, "DB::Exception: whatever").Permanent);

    [Fact]
    public void TooManyPartsIsPermanentOnlyForTooManyPartitionsInOneBlock()
    {
        Assert.True(ClickHouseErrors.Classify(252, "Code: 252. DB::Exception: Too many partitions for single INSERT block (more than 100). The limit is controlled by 'max_partitions_per_insert_block' setting.").Permanent);
        Assert.False(ClickHouseErrors.Classify(252, "Code: 252. DB::Exception: Too many parts (300). Merges are processing significantly slower than inserts.").Permanent);
    }

    [Fact]
    public void OnlyAnAnswerOfClickHousesCanBePermanent()
    {
        // What the driver throws for an error status: the code as it read it, or 0 and the code in the text.
        var driver = new ClickHouseServerException("Code: 16, e.displayText() = DB::Exception: No such column hits in table pixel_1m_in", "INSERT …", 16);
        Assert.Equal(new ClickHouseRefusal(true, 16, "NO_SUCH_COLUMN_IN_TABLE"), ClickHouseErrors.Classify(driver));
        Assert.True(ClickHouseErrors.Classify(new ClickHouseServerException("Code: 60. DB::Exception: Table x doesn't exist.", "INSERT …", 0)).Permanent);
        Assert.False(ClickHouseErrors.Classify(new ClickHouseServerException("Code: 241. DB::Exception: Memory limit exceeded", "INSERT …", 241)).Permanent);
        Assert.True(ClickHouseErrors.Classify(new ClickHouseException(500, "Code: 53, e.displayText() = DB::Exception: Type mismatch")).Permanent);
        Assert.Equal(53, new ClickHouseException(500, "Code: 53, e.displayText() = DB::Exception: Type mismatch").Code);
        Assert.False(ClickHouseErrors.Classify(new ClickHouseException(502, "Bad Gateway")).Permanent);
        Assert.Null(new ClickHouseException(502, "Bad Gateway").Code);
        Assert.False(ClickHouseErrors.Classify(new HttpRequestException("Connection refused (Code: 16)")).Permanent);
        Assert.False(ClickHouseErrors.Classify(new TaskCanceledException()).Permanent);
    }

    [Fact]
    public void ARefusalOfThatInsertIsDefiniteUnlessTheLedgerViewFailedOrAnEarlierAttemptStillRuns()
    {
        // The data view failed (the colleague's case on 26.7, and 18.16's type mismatch): definite.
        Assert.True(ClickHouseErrors.IsDefiniteRefusal(new ClickHouseServerException(
            "Code: 252. DB::Exception: Too many partitions for single INSERT block (more than 100): while pushing to view db.traffic_1m_in_mv", "INSERT …", 252)));
        Assert.True(ClickHouseErrors.IsDefiniteRefusal(new ClickHouseException(500,
            "Code: 53, e.displayText() = DB::Exception: Type mismatch for column hits. Column has type String, got type UInt64: while pushing to view db.pixel_1m_in_mv")));
        // Transient codes too: ClickHouse answered for this insert, so its data view did not write it.
        Assert.True(ClickHouseErrors.IsDefiniteRefusal(new ClickHouseServerException("Code: 241. DB::Exception: Memory limit exceeded", "INSERT …", 241)));
        // The ledger view itself failed: the data may be written; keep the id and trust the ledger.
        Assert.False(ClickHouseErrors.IsDefiniteRefusal(new ClickHouseException(500,
            "Code: 241, e.displayText() = DB::Exception: Memory limit exceeded: while pushing to view db.pixel_1m_in_ledger")));
        // About an earlier attempt still running, which may yet write.
        Assert.False(ClickHouseErrors.IsDefiniteRefusal(new ClickHouseServerException(
            "Code: 216. DB::Exception: Query with id = fastingest-00ff is already running.", "INSERT …", 216)));
        // No answer of ClickHouse's: it may have taken the insert.
        Assert.False(ClickHouseErrors.IsDefiniteRefusal(new ClickHouseException(502, "Bad Gateway")));
        Assert.False(ClickHouseErrors.IsDefiniteRefusal(new HttpRequestException("Connection reset (Code: 16)")));
        Assert.False(ClickHouseErrors.IsDefiniteRefusal(new TaskCanceledException()));
    }

    [Fact]
    public void AMissingTableOrDatabaseIsToldApartWhereverItIsWrapped()
    {
        var table = new ClickHouseServerException("Code: 60. DB::Exception: Table db.traffic_1m_in doesn't exist.", "INSERT …", 60);
        var database = new ClickHouseException(404, "Code: 81, e.displayText() = DB::Exception: Database fastingest_local doesn't exist");
        Assert.True(ClickHouseErrors.IsMissingSchema(table));
        Assert.True(ClickHouseErrors.IsMissingSchema(database));
        Assert.True(ClickHouseErrors.IsMissingSchema(new FastIngest.Core.Sinks.ClickHouse.PoisonRoundException("traffic_1m", ClickHouseErrors.Classify(table), table)));
        Assert.True(ClickHouseErrors.IsMissingSchema(new AggregateException(new TimeoutException(), database)));
        Assert.True(ClickHouseErrors.IsMissingSchema(new ClickHouseServerException("Code: 60. DB::Exception: Table x doesn't exist.", "INSERT …", 0)));

        Assert.False(ClickHouseErrors.IsMissingSchema(new ClickHouseServerException("Code: 16. DB::Exception: No such column hits", "INSERT …", 16)));
        Assert.False(ClickHouseErrors.IsMissingSchema(new HttpRequestException("Connection refused (Code: 60)")));
        Assert.False(ClickHouseErrors.IsMissingSchema(new ClickHouseException(502, "Bad Gateway")));
    }
}

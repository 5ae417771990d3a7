using System.Globalization;
using ClickHouse.Driver;

namespace FastIngest.Core.ClickHouse;

/// <summary>
/// Tells ClickHouse's refusals of an insert apart: <em>transient</em> ones (the next attempt may succeed
/// as it is: the network, a timeout, overload, a credentials or permission problem that stops every
/// insert alike) are retried for as long as it takes, as always; <em>permanent</em> ones (this round's
/// data or the table it goes to will refuse it however often it is sent) are retried a few times and
/// then the round is quarantined, so the rounds behind it go on (issue 13, item 4).
/// </summary>
/// <remarks>
/// <para>The one table of codes is <see cref="Classify(int, string)"/>; numbers and names are ClickHouse's
/// <c>src/Common/ErrorCodes.cpp</c>. Anything not listed as permanent is transient: a code we do not
/// know, or an error without a code, keeps today's behaviour (retry, never set aside).</para>
/// <para>The code is read from the answer's text, which is all ClickHouse's HTTP interface gives:
/// <c>Code: 16, e.displayText() = DB::Exception: …</c> (18.x) or <c>Code: 16. DB::Exception: …</c>
/// (20.x and later), and the <c>X-ClickHouse-Exception-Code</c> header only on newer servers.</para>
/// </remarks>
internal static class ClickHouseErrors
{
    private const int QueryWithSameIdIsAlreadyRunning = 216;
    private const int UnknownTable = 60, UnknownDatabase = 81;

    /// <summary>
    /// Whether <paramref name="exception"/> (an insert's failure) is a permanent refusal, with its code
    /// and name. Only an answer of ClickHouse's can be permanent: the driver's
    /// <see cref="ClickHouseServerException"/> (it throws one for an error status, its
    /// <see cref="System.Data.Common.DbException.ErrorCode"/> ClickHouse's code) or our own
    /// <see cref="ClickHouseException"/>. A network error, a timeout or a cancellation is transient
    /// whatever it says.
    /// </summary>
    public static ClickHouseRefusal Classify(Exception exception) => exception switch
    {
        ClickHouseServerException server when CodeOf(server) is int code => Classify(code, server.Message),
        ClickHouseException { Code: int code } answer => Classify(code, answer.ServerMessage),
        _ => default,
    };

    /// <summary>
    /// Whether <paramref name="exception"/> (an insert's failure) is ClickHouse's own refusal of
    /// <em>that</em> insert, which means the write door's data view did not write its block, so a row the
    /// ledger view may have written for it (views run one after another, not in a transaction) proves
    /// nothing: an answer with a code, transient or permanent. Not definite: no code (the network, a
    /// timeout of ours, a proxy's page: ClickHouse may have taken it), 216 (the refusal is about an
    /// <em>earlier</em> attempt still running, which may yet write), and a failure of the ledger view itself
    /// (<c>while pushing to view …_in_ledger</c>: the data view may have written; the ledger is then the
    /// best we have).
    /// </summary>
    public static bool IsDefiniteRefusal(Exception exception)
    {
        (int? code, string message) = exception switch
        {
            ClickHouseServerException server => (CodeOf(server), server.Message),
            ClickHouseException answer => (answer.Code, answer.ServerMessage),
            _ => ((int?)null, ""),
        };
        return code is int c && c > 0 && c != QueryWithSameIdIsAlreadyRunning
            && !message.Contains("_in_ledger", StringComparison.Ordinal);
    }

    /// <summary>ClickHouse's own text of an error answer, trimmed; the exception's message otherwise.</summary>
    public static string ServerMessage(Exception exception) => exception switch
    {
        ClickHouseException answer => answer.ServerMessage,
        _ => exception.Message.Trim(),
    };

    /// <summary>The table: permanent codes with the reason a retry can't help; everything else transient.</summary>
    public static ClickHouseRefusal Classify(int code, string message) => code switch
    {
        // The RowBinary body does not read as the table's columns: the bytes are what they are, or the
        // table's columns were changed by hand under a round already encoded for the old ones.
        6 => Permanent(code, "CANNOT_PARSE_TEXT"),
        27 => Permanent(code, "CANNOT_PARSE_INPUT_ASSERTION_FAILED"),
        32 => Permanent(code, "ATTEMPT_TO_READ_AFTER_EOF"),
        33 => Permanent(code, "CANNOT_READ_ALL_DATA"),
        38 => Permanent(code, "CANNOT_PARSE_DATE"),
        41 => Permanent(code, "CANNOT_PARSE_DATETIME"),
        72 => Permanent(code, "CANNOT_PARSE_NUMBER"),
        117 => Permanent(code, "INCORRECT_DATA"),
        131 => Permanent(code, "TOO_LARGE_STRING_SIZE"),

        // The insert names columns the table no longer has, or has with another type: a schema changed
        // by hand. Every round for that table is refused until an operator puts the column back.
        8 => Permanent(code, "THERE_IS_NO_COLUMN"),
        10 => Permanent(code, "NOT_FOUND_COLUMN_IN_BLOCK"),
        16 => Permanent(code, "NO_SUCH_COLUMN_IN_TABLE"),
        20 => Permanent(code, "NUMBER_OF_COLUMNS_DOESNT_MATCH"),
        44 => Permanent(code, "ILLEGAL_COLUMN"),
        47 => Permanent(code, "UNKNOWN_IDENTIFIER"),
        53 => Permanent(code, "TYPE_MISMATCH"),
        70 => Permanent(code, "CANNOT_CONVERT_TYPE"),
        321 => Permanent(code, "VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE"),
        349 => Permanent(code, "CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN"),

        // The table or database is gone. FastIngest applies its schema before it inserts anything (the
        // write loop waits for it; the replay applies it first), so at insert time a missing table was
        // dropped or renamed by hand, not "not created yet": waiting does not bring it back.
        // (With ApplySchema off the operator owns the schema; the same holds once the server runs.)
        // With ApplySchema on, the replay first applies the schema again, once per round (IsMissingSchema:
        // a shard's replica that was down when the schema was applied): only a round that still finds no
        // table after that is counted as refused for good.
        60 => Permanent(code, "UNKNOWN_TABLE"),
        81 => Permanent(code, "UNKNOWN_DATABASE"),

        // Our own INSERT statement no longer parses against this server: no retry changes that.
        62 => Permanent(code, "SYNTAX_ERROR"),

        // TOO_MANY_PARTS has two meanings. "Too many partitions for single INSERT block" is this block's
        // own shape (it spans more partitions than max_partitions_per_insert_block): permanent for the
        // round. "Too many parts … Merges are processing significantly slower than inserts" is merge
        // pressure on the table: transient, the next attempt after the merges catch up succeeds.
        252 when message.Contains("partitions for single INSERT block", StringComparison.OrdinalIgnoreCase)
            => Permanent(code, "TOO_MANY_PARTS (partitions per insert)"),

        // Transient, listed for the reader (the default says the same): 159 TIMEOUT_EXCEEDED,
        // 202 TOO_MANY_SIMULTANEOUS_QUERIES, 203 NO_FREE_CONNECTION, 209 SOCKET_TIMEOUT, 210 NETWORK_ERROR,
        // 216 QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING (an earlier attempt still runs), 236 ABORTED,
        // 241 MEMORY_LIMIT_EXCEEDED, 242 TABLE_IS_READ_ONLY, 243 NOT_ENOUGH_SPACE, 252 TOO_MANY_PARTS
        // (merges), 394 QUERY_WAS_CANCELLED, 425 SYSTEM_ERROR; and 164 READONLY, 192 UNKNOWN_USER,
        // 193 WRONG_PASSWORD, 194 REQUIRED_PASSWORD, 195 IP_ADDRESS_NOT_ALLOWED, 291 DATABASE_ACCESS_DENIED,
        // 497 ACCESS_DENIED, 516 AUTHENTICATION_FAILED: those stop every insert alike, not one round, so
        // quarantining would only move all traffic aside; the spool holds it until the operator fixes them.
        _ => new ClickHouseRefusal(false, code, "code " + code.ToString(CultureInfo.InvariantCulture)),
    };

    /// <summary>
    /// Whether <paramref name="exception"/> (or one it wraps) is ClickHouse saying the table or database is
    /// not there (60 UNKNOWN_TABLE, 81 UNKNOWN_DATABASE): a replica that was down when the schema was
    /// applied, or a database dropped under a running server. The cure is the schema again, not a retry.
    /// </summary>
    public static bool IsMissingSchema(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            int? code = e switch
            {
                ClickHouseServerException server => CodeOf(server),
                ClickHouseException answer => answer.Code,
                _ => null,
            };
            if (code is UnknownTable or UnknownDatabase)
            {
                return true;
            }

            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsMissingSchema))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Reads the <c>Code: N</c> that opens (or is inside) ClickHouse's error text.</summary>
    public static bool TryParseCode(ReadOnlySpan<char> message, out int code)
    {
        code = 0;
        int at = message.IndexOf("Code: ", StringComparison.Ordinal);
        if (at < 0)
        {
            return false;
        }

        ReadOnlySpan<char> digits = message[(at + 6)..];
        int length = 0;
        while (length < digits.Length && length < 6 && char.IsAsciiDigit(digits[length]))
        {
            length++;
        }

        return length > 0 && int.TryParse(digits[..length], NumberStyles.None, CultureInfo.InvariantCulture, out code);
    }

    // The driver reads the code from the answer; 0 when it found none, then the text may still carry it.
    private static int? CodeOf(ClickHouseServerException server) =>
        server.ErrorCode > 0 ? server.ErrorCode : TryParseCode(server.Message, out int code) ? code : null;

    private static ClickHouseRefusal Permanent(int code, string name) => new(true, code, name);
}

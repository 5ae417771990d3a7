using System.Buffers.Binary;

namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// Puts a new insert id into every row of a table's RowBinary body (the id is each row's last column,
/// see <see cref="TableEncoders"/>), so a round read back from the spool can go under a later
/// <see cref="InsertIds"/> generation without being re-encoded from rows it no longer has.
/// </summary>
/// <remarks>
/// The shapes below follow <see cref="TableEncoders"/>' Append methods column by column ('S' a String,
/// digits a fixed width in bytes); <c>InsertIdRewriterTests</c> checks them against the encoders for
/// every table. A body that does not walk to its end in exactly its rows throws: never a half-rewritten id.
/// </remarks>
internal static class InsertIdRewriter
{
    private static readonly string[] s_shapes =
    [
        "S4" + new string('8', 17 + LatencyHistogram.BucketCount), // traffic_1m: tenant, minute, 17 counters, the latency buckets
        "S428", // status_1m
        "4SSS8S", // ingest_errors
        "SS48", // pixel_1m
        "S2S8", // visitors_1d
        "S4SS8", // events_1m
        "S28", // users_1d
        "S4S88884", // paths_1h
        "42SS2S8841SS8", // requests_raw
        "S2SSS1S88", // agents_1d
        "S21SS88", // referrers_1d
    ];

    public static void Rewrite(Span<byte> body, int table, int rows, ulong insertId)
    {
        string shape = s_shapes[table];
        int at = 0;
        for (int row = 0; row < rows; row++)
        {
            foreach (char column in shape)
            {
                at += column == 'S' ? StringLength(body, at) : column - '0';
            }

            if (at + 8 > body.Length)
            {
                throw new InvalidDataException($"The body of {TableEncoders.Tables[table].Name} ends inside row {row} of {rows}.");
            }

            BinaryPrimitives.WriteUInt64LittleEndian(body[at..], insertId);
            at += 8;
        }

        if (at != body.Length)
        {
            throw new InvalidDataException($"The body of {TableEncoders.Tables[table].Name} has {body.Length - at} bytes after its {rows} rows.");
        }
    }

    // A String's LEB128 length prefix plus its bytes.
    private static int StringLength(ReadOnlySpan<byte> body, int at)
    {
        ulong length = 0;
        int shift = 0;
        int start = at;
        while (true)
        {
            if (at >= body.Length || shift > 63)
            {
                throw new InvalidDataException("A String's length runs past the body.");
            }

            byte b = body[at++];
            length |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                break;
            }

            shift += 7;
        }

        if (length > (ulong)(body.Length - at))
        {
            throw new InvalidDataException("A String runs past the body.");
        }

        return at - start + (int)length;
    }
}

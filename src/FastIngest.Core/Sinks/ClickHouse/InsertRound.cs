using System.Buffers.Binary;
using FastIngest.Core.Internal;

namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// What the sink writes in one go: every waiting flush batch, encoded as one RowBinary body per table,
/// each insert with its own random <see cref="TableInsert.InsertId"/> (recorded by ClickHouse in
/// <c>insert_ledger</c>). The same bytes go to ClickHouse or, when it can't take them, to the spool, so a
/// replay re-sends exactly what the first attempt sent, under the same ids.
/// </summary>
internal sealed class InsertRound : IDisposable
{
    private const byte FormatVersion = 1;

    public InsertRound()
    {
        Tables = new TableInsert[TableEncoders.Tables.Length];
        for (int i = 0; i < Tables.Length; i++)
        {
            Tables[i] = new TableInsert(i);
        }
    }

    public TableInsert[] Tables { get; }

    public long Lines { get; set; }

    public long PixelHits { get; set; }

    public long Events { get; set; }

    /// <summary>The flush batches encoded into this round, kept until it is written (per-tenant accounting).</summary>
    public List<FlushBatch> Batches { get; } = [];

    public bool IsEmpty => Tables.All(t => t.Rows == 0);

    public long Rows => Tables.Sum(t => (long)t.Rows);

    /// <summary>Starts a new round: empty bodies, fresh insert ids.</summary>
    public void Reset()
    {
        foreach (TableInsert table in Tables)
        {
            table.Body.Reset();
            table.Rows = 0;
            table.Start((ulong)Random.Shared.NextInt64() | 1);
        }

        Lines = PixelHits = Events = 0;
        Batches.Clear();
    }

    public void Add(FlushBatch batch)
    {
        Lines += batch.Lines;
        PixelHits += batch.PixelHits;
        Events += batch.EventCount;
        Encode(Tables[TableEncoders.Traffic], batch.Traffic, TableEncoders.Append);
        Encode(Tables[TableEncoders.Status], batch.Statuses, TableEncoders.Append);
        Encode(Tables[TableEncoders.Errors], batch.Errors, TableEncoders.Append);
        Encode(Tables[TableEncoders.Pixel], batch.Pixels, TableEncoders.Append);
        Encode(Tables[TableEncoders.Visitors], batch.Visitors, TableEncoders.Append);
        Encode(Tables[TableEncoders.Events], batch.Events, TableEncoders.Append);
        Encode(Tables[TableEncoders.Users], batch.Users, TableEncoders.Append);
        Encode(Tables[TableEncoders.Paths], batch.Paths, TableEncoders.Append);
        EncodeRawRows(Tables[TableEncoders.RawRows], batch.RawRows);
        Encode(Tables[TableEncoders.Agents], batch.Agents, TableEncoders.Append);
        Encode(Tables[TableEncoders.Referrers], batch.Referrers, TableEncoders.Append);
        Batches.Add(batch);
    }

    /// <summary>Lines, pixel hits and events of this round per tenant: what is lost if it is dropped.</summary>
    public Dictionary<string, long> CountsByTenant()
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (FlushBatch batch in Batches)
        {
            foreach (TrafficRow row in batch.Traffic)
            {
                Add(counts, row.Tenant, (long)row.Counters.Requests);
            }

            foreach (PixelRow row in batch.Pixels)
            {
                Add(counts, row.Tenant, (long)row.Hits);
            }

            foreach (EventRow row in batch.Events)
            {
                Add(counts, row.Tenant, (long)row.Events);
            }
        }

        return counts;

        static void Add(Dictionary<string, long> counts, byte[] tenant, long count)
        {
            string name = System.Text.Encoding.UTF8.GetString(tenant);
            counts[name] = counts.GetValueOrDefault(name) + count;
        }
    }

    /// <summary>The spool record: counts, then per non-empty table its index, insert id, rows and body.</summary>
    public void WriteTo(PooledBufferWriter output)
    {
        Span<byte> head = output.GetSpan(1 + (3 * 8) + 1);
        head[0] = FormatVersion;
        BinaryPrimitives.WriteInt64LittleEndian(head[1..], Lines);
        BinaryPrimitives.WriteInt64LittleEndian(head[9..], PixelHits);
        BinaryPrimitives.WriteInt64LittleEndian(head[17..], Events);
        head[25] = (byte)Tables.Count(t => t.Rows > 0);
        output.Advance(26);
        foreach (TableInsert table in Tables)
        {
            if (table.Rows == 0)
            {
                continue;
            }

            Span<byte> tableHead = output.GetSpan(17);
            tableHead[0] = (byte)table.Index;
            BinaryPrimitives.WriteUInt64LittleEndian(tableHead[1..], table.InsertId);
            BinaryPrimitives.WriteInt32LittleEndian(tableHead[9..], table.Rows);
            BinaryPrimitives.WriteInt32LittleEndian(tableHead[13..], table.Body.WrittenCount);
            output.Advance(17);
            output.Write(table.Body.WrittenSpan);
        }
    }

    /// <summary>Refills this round from a spool record; false if the record is not one this version wrote.</summary>
    public bool TryReadFrom(ReadOnlySpan<byte> record)
    {
        foreach (TableInsert table in Tables)
        {
            table.Body.Reset();
            table.Rows = 0;
            table.Start(0);
        }

        Batches.Clear();
        if (record.Length < 26 || record[0] != FormatVersion)
        {
            return false;
        }

        Lines = BinaryPrimitives.ReadInt64LittleEndian(record[1..]);
        PixelHits = BinaryPrimitives.ReadInt64LittleEndian(record[9..]);
        Events = BinaryPrimitives.ReadInt64LittleEndian(record[17..]);
        int tables = record[25];
        record = record[26..];
        for (int i = 0; i < tables; i++)
        {
            if (record.Length < 17 || record[0] >= Tables.Length)
            {
                return false;
            }

            TableInsert table = Tables[record[0]];
            table.Start(BinaryPrimitives.ReadUInt64LittleEndian(record[1..]));
            table.Rows = BinaryPrimitives.ReadInt32LittleEndian(record[9..]);
            int bodyLength = BinaryPrimitives.ReadInt32LittleEndian(record[13..]);
            if (bodyLength < 0 || record.Length - 17 < bodyLength)
            {
                return false;
            }

            table.Body.Write(record.Slice(17, bodyLength));
            record = record[(17 + bodyLength)..];
        }

        return record.IsEmpty;
    }

    public void Dispose()
    {
        foreach (TableInsert table in Tables)
        {
            table.Body.Dispose();
        }
    }

    private static void EncodeRawRows(TableInsert table, RawRowSet rows)
    {
        var writer = new RowBinaryWriter(table.Body);
        foreach (ref readonly RawRow row in rows.Rows)
        {
            TableEncoders.Append(writer, rows, in row);
            writer.UInt64(table.InsertId);
        }

        table.Rows += rows.Count;
    }

    private static void Encode<TRow>(TableInsert table, List<TRow> rows, TableEncoders.RowEncoder<TRow> append)
    {
        var writer = new RowBinaryWriter(table.Body);
        foreach (TRow row in rows)
        {
            append(writer, in row);
            writer.UInt64(table.InsertId);
        }

        table.Rows += rows.Count;
    }
}

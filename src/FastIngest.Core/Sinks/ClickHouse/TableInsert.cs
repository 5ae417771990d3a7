using FastIngest.Core.Internal;

namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>One table's part of an <see cref="InsertRound"/>.</summary>
internal sealed class TableInsert(int index)
{
    public int Index { get; } = index;

    public string Name => TableEncoders.Tables[Index].Name;

    public PooledBufferWriter Body { get; } = new(initialCapacity: 4096);

    public int Rows { get; set; }

    /// <summary>Random, never 0; the <c>insert_id</c> column of every row and the insert's <c>query_id</c>.</summary>
    public ulong InsertId { get; set; }
}

using FastIngest.Core.Internal;

namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>One table's part of an <see cref="InsertRound"/>.</summary>
internal sealed class TableInsert(int index)
{
    public int Index { get; } = index;

    public string Name => TableEncoders.Tables[Index].Name;

    public PooledBufferWriter Body { get; } = new(initialCapacity: 4096);

    public int Rows { get; set; }

    /// <summary>The <c>insert_id</c> column of every row of <see cref="Body"/> and the insert's <c>query_id</c>: <see cref="InsertIds.Derive"/> of <see cref="OriginalId"/> and <see cref="Generation"/>.</summary>
    public ulong InsertId { get; set; }

    /// <summary>Random, never 0: the id the round was encoded (and spooled) with; generation 0.</summary>
    public ulong OriginalId { get; set; }

    /// <summary>How many definite refusals of this insert are behind <see cref="InsertId"/> (see <see cref="InsertIds"/>).</summary>
    public int Generation { get; private set; }

    /// <summary>
    /// ClickHouse answered the last attempt of this insert with a definite refusal
    /// (<see cref="FastIngest.Core.ClickHouse.ClickHouseErrors.IsDefiniteRefusal"/>): a ledger row of
    /// <see cref="InsertId"/> proves nothing, and the next attempt must go under the next generation.
    /// </summary>
    public bool Refused { get; set; }

    /// <summary>A fresh insert: <paramref name="id"/> at generation 0.</summary>
    public void Start(ulong id)
    {
        OriginalId = InsertId = id;
        Generation = 0;
        Refused = false;
    }

    /// <summary>Moves the insert to <paramref name="generation"/>: its id, in every row of the body too.</summary>
    public void Rekey(int generation)
    {
        ulong id = InsertIds.Derive(OriginalId, generation);
        if (Rows > 0)
        {
            InsertIdRewriter.Rewrite(Body.WrittenSpanToUpdate, Index, Rows, id);
        }

        InsertId = id;
        Generation = generation;
        Refused = false;
    }
}

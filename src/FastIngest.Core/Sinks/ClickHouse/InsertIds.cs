namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// The insert id a table's insert of a round carries at each <em>generation</em>. Generation 0 is the id
/// the round was encoded with; each definite refusal of that insert by ClickHouse moves it to the next
/// generation, because the refused attempt may have left a row in <c>insert_ledger</c> although its data
/// never reached the table (the write door's views are not transactional): a ledger row of a refused id
/// proves nothing, so the next attempt must go under an id no refused attempt used.
/// </summary>
/// <remarks>
/// Derived, not drawn: the spool record keeps the original id, and the generation alone (kept beside the
/// spool head or in the quarantine note) gives back the id the last attempt used, after a restart too.
/// </remarks>
internal static class InsertIds
{
    /// <summary>The id of generation <paramref name="generation"/> of <paramref name="original"/>: the original at 0, never 0.</summary>
    public static ulong Derive(ulong original, int generation)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(generation);
        if (generation == 0)
        {
            return original;
        }

        // SplitMix64's finaliser over (original, generation): distinct generations of one round, and the
        // generations of different rounds, collide no more often than random ids do.
        ulong z = original + ((ulong)generation * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return z | 1;
    }
}

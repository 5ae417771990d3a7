using System.Buffers.Binary;

namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// The <see cref="InsertIds"/> generations of the spool's oldest round, the one the replay loop is
/// trying: kept in memory and in <c>replay-generations</c> in the spool folder (the spool's records are
/// append-only, so the round's record keeps its original ids). Saved, fsynced, each time ClickHouse
/// definitely refuses one of its inserts, before the next attempt, so that neither that attempt nor the
/// first one after a restart asks the ledger about an id whose ledger row may be stale.
/// </summary>
/// <remarks>
/// One round at a time: the loop sends oldest first and only moves on once the round is in ClickHouse or
/// in the quarantine (whose note carries the generations on). A file about another round is about one
/// that was acknowledged meanwhile, and is forgotten.
/// </remarks>
internal sealed class ReplayGenerations
{
    private readonly int[] _generations = new int[TableEncoders.Tables.Length];
    private ulong _round;

    public ReplayGenerations(string spoolDirectory)
    {
        Path = System.IO.Path.Combine(spoolDirectory, "replay-generations");
        try
        {
            byte[] bytes = File.ReadAllBytes(Path);
            if (bytes.Length == 8 + (4 * _generations.Length))
            {
                _round = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
                for (int i = 0; i < _generations.Length; i++)
                {
                    _generations[i] = Math.Max(0, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8 + (4 * i))));
                }
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            // Nothing was refused since the last round was written.
        }
    }

    public string Path { get; }

    /// <summary>Puts <paramref name="round"/> (just read from the spool) at its saved generations.</summary>
    public void ApplyTo(InsertRound round)
    {
        if (_round != RoundQuarantine.RoundId(round))
        {
            return;
        }

        foreach (TableInsert table in round.Tables)
        {
            if (table.Rows > 0 && _generations[table.Index] > 0)
            {
                table.Rekey(_generations[table.Index]);
            }
        }
    }

    /// <summary>
    /// Moves each insert of <paramref name="round"/> ClickHouse refused to its next generation, in memory
    /// then on disk. False if nothing was refused. A disk fault throws, after the memory is updated.
    /// </summary>
    public bool Advance(InsertRound round)
    {
        if (!round.Tables.Any(t => t.Refused))
        {
            return false;
        }

        _round = RoundQuarantine.RoundId(round);
        foreach (TableInsert table in round.Tables)
        {
            if (table.Refused)
            {
                table.Rekey(table.Generation + 1);
            }

            _generations[table.Index] = table.Rows > 0 ? table.Generation : 0;
        }

        var bytes = new byte[8 + (4 * _generations.Length)];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, _round);
        for (int i = 0; i < _generations.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8 + (4 * i)), _generations[i]);
        }

        RoundQuarantine.WriteDurably(Path, bytes);
        return true;
    }

    /// <summary>The round is in ClickHouse or the quarantine: its generations are no longer needed here.</summary>
    public void Forget()
    {
        if (_round == 0)
        {
            return;
        }

        _round = 0;
        Array.Clear(_generations);
        try
        {
            File.Delete(Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A file left behind names a round that is gone: ignored by ApplyTo, replaced by Advance.
        }
    }
}

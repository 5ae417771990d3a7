using FastIngest.Core.ClickHouse;
using Microsoft.Extensions.Logging;

namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// Sends the inserts of a round that ClickHouse does not have yet, asking the <see cref="InsertLedger"/>
/// first: how the replay loop sends a spooled round and how <c>spool retry</c> sends a quarantined one,
/// so either may run after a partial success, a crash or a second run and still count each insert once.
/// </summary>
internal sealed class LedgerSender(InsertLedger ledger, RowBinaryInserter inserter, SinkCounters counters, ILogger logger)
{
    /// <summary>
    /// Sends what ClickHouse lacks of <paramref name="round"/>. Throws <see cref="PoisonRoundException"/>
    /// when ClickHouse refuses an insert for good, and whatever else failed otherwise (retry later); a
    /// definitely refused insert is marked <see cref="TableInsert.Refused"/> either way.
    /// </summary>
    public async Task SendMissingAsync(InsertRound round, CancellationToken cancellationToken)
    {
        // Running first, ledger second: an insert that is not running now and not in the ledger either
        // never took effect, and can't any more.
        if (await ledger.CountRunningAsync(round, cancellationToken).ConfigureAwait(false) > 0)
        {
            throw new InvalidOperationException("An earlier attempt of this round is still running in ClickHouse; waiting for it.");
        }

        Dictionary<ulong, long> seen = await ledger.RowsAsync(round, cancellationToken).ConfigureAwait(false);
        foreach (TableInsert table in round.Tables)
        {
            if (table.Rows == 0)
            {
                continue;
            }

            if (seen.TryGetValue(table.InsertId, out long rows))
            {
                counters.DuplicateAvoided();
                if (rows != table.Rows)
                {
                    counters.PartialInsert();
                    SinkLog.PartialInsert(logger, table.Name, table.InsertId, rows, table.Rows);
                }

                continue;
            }

            try
            {
                await inserter.InsertAsync(table, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception answer)
            {
                // Refused by ClickHouse: the ledger may hold a row for this id all the same (its view may
                // have run before the data view failed). The caller moves the insert to its next
                // generation, durably, before the ledger is asked about it again.
                table.Refused = ClickHouseErrors.IsDefiniteRefusal(answer);
                if (ClickHouseErrors.Classify(answer) is { Permanent: true } refusal)
                {
                    throw new PoisonRoundException(table.Name, refusal, answer);
                }

                throw;
            }
        }
    }
}

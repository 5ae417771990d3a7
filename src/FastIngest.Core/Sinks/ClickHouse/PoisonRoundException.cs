using FastIngest.Core.ClickHouse;

namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// ClickHouse refused one of a round's inserts for good (<see cref="ClickHouseErrors"/>): sending the same
/// round again can't succeed until an operator fixes the cause. Only <see cref="LedgerSender"/> throws it.
/// </summary>
internal sealed class PoisonRoundException(string table, ClickHouseRefusal refusal, Exception answer)
    : Exception($"ClickHouse refused the insert into {table} for good: Code {refusal.Code} ({refusal.Name})", answer)
{
    /// <summary>The table whose insert was refused (the round's others may be in ClickHouse already).</summary>
    public string Table { get; } = table;

    public ClickHouseRefusal Refusal { get; } = refusal;

    /// <summary>ClickHouse's own text.</summary>
    public string ServerMessage { get; } = ClickHouseErrors.ServerMessage(answer);
}

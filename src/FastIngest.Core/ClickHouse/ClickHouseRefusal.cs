namespace FastIngest.Core.ClickHouse;

/// <summary>
/// How <see cref="ClickHouseErrors"/> classed a failed insert: <see cref="Permanent"/> when retrying the
/// same round can't succeed; <see cref="Code"/> 0 when ClickHouse gave none (a network error, a timeout).
/// </summary>
internal readonly record struct ClickHouseRefusal(bool Permanent, int Code, string Name);

namespace FastIngest.Core.Reading;

/// <summary>The time step of a counter table: <c>X_1m</c>, <c>X_1h</c> or <c>X_1d</c>.</summary>
internal enum TimeGrain
{
    Minute,
    Hour,
    Day,
}

namespace FastIngest.Core.Reading.Dashboard;

/// <summary>
/// A panel's answer: named columns and rows of cells, each a <see cref="string"/>, a <see cref="long"/>, a
/// <see cref="double"/> (ratios) or null. The same shape for every panel, so JSON and CSV are written once.
/// </summary>
internal sealed record PanelTable(string? Grain, IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows);

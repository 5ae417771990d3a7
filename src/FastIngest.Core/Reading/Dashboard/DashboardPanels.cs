using ClickHouse.Driver;

namespace FastIngest.Core.Reading.Dashboard;

/// <summary>The panels by name (<c>/api/v1/tenants/{tenant}/panels/{panel}</c>); a name not here is a 404.</summary>
internal static class DashboardPanels
{
    private delegate Task<PanelTable> Query(ClickHouseClient client, string database, PanelRequest request, CancellationToken cancellationToken);

    private static readonly Dictionary<string, Query> s_panels = new(StringComparer.Ordinal)
    {
        ["summary"] = SummaryPanel.QueryAsync,
        ["traffic"] = TrafficPanel.QueryAsync,
        ["status"] = BreakdownPanels.StatusAsync,
        ["cache"] = BreakdownPanels.CacheAsync,
        ["top_files_downloads"] = (c, d, r, t) => TopListPanels.FilesAsync(c, d, r, byBytes: false, t),
        ["top_files_bytes"] = (c, d, r, t) => TopListPanels.FilesAsync(c, d, r, byBytes: true, t),
        ["visitors"] = VisitorsPanel.QueryAsync,
        ["pixel"] = TopListPanels.PixelAsync,
        ["events"] = TopListPanels.EventsAsync,
        ["event_paths"] = TopListPanels.EventPathsAsync,
        ["refusals"] = TopListPanels.RefusalsAsync,
        ["sources"] = SourcesPanel.QueryAsync,
        ["devices"] = TopListPanels.DevicesAsync,
    };

    public static IEnumerable<string> Names => s_panels.Keys;

    public static bool Exists(string panel) => s_panels.ContainsKey(panel);

    public static Task<PanelTable> QueryAsync(ClickHouseClient client, string database, string panel, PanelRequest request, CancellationToken cancellationToken) =>
        s_panels[panel](client, database, request, cancellationToken);
}

namespace FastIngest.Core.Reading.Dashboard;

/// <summary>One panel's question, validated: a tenant name (<c>NameRules</c>), its range and zone, and the length of a top list.</summary>
internal sealed record PanelRequest(string Tenant, DashboardRange Range, int Limit)
{
    public const int DefaultLimit = 10;
    public const int MaxLimit = 100;
}

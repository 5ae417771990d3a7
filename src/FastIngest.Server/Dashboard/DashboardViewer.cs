namespace FastIngest.Server.Dashboard;

/// <summary>Who reads the dashboard API, as <see cref="DashboardAuthentication"/> found it.</summary>
internal sealed record DashboardViewer(DashboardAccessKind Access, string? Tenant)
{
    /// <summary>The wire name: <c>open</c>, <c>tenant</c>, <c>management</c>.</summary>
    public string AccessName => Access switch
    {
        DashboardAccessKind.Tenant => "tenant",
        DashboardAccessKind.Management => "management",
        _ => "open",
    };

    /// <summary>A tenant key reads its own tenant only; open mode and the management key read all.</summary>
    public bool CanRead(string tenant) => Access != DashboardAccessKind.Tenant || string.Equals(Tenant, tenant, StringComparison.Ordinal);

    public static DashboardViewer Of(HttpContext context) =>
        context.Features.Get<DashboardViewer>() ?? throw new InvalidOperationException("The endpoint has no RequireDashboardAccess(): its viewer was never authenticated");
}

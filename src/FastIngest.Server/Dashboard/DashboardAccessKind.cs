namespace FastIngest.Server.Dashboard;

/// <summary>What <c>/api/v1/me</c> answers in <c>access</c>.</summary>
internal enum DashboardAccessKind
{
    /// <summary>No tenant API keys are configured: every tenant is readable without a key.</summary>
    Open,

    /// <summary>A tenant API key: its own tenant only.</summary>
    Tenant,

    /// <summary>The management key: every tenant.</summary>
    Management,
}

namespace FastIngest.Server.Http;

/// <summary>One tenant's settings under <c>FastIngest:Tenants:{tenant}</c>.</summary>
public sealed class TenantSettings
{
    /// <summary>The keys that may send events and read stats for this tenant; each non-empty and owned by one tenant.</summary>
    public IList<string> ApiKeys { get; } = [];
}

namespace FastIngest.Server.Dashboard;

/// <summary>Endpoint metadata: <see cref="DashboardAuthentication"/> decides who the caller is before the rate limiter runs.</summary>
internal sealed class DashboardKeyRequired
{
    public static readonly DashboardKeyRequired Instance = new();

    private DashboardKeyRequired()
    {
    }
}

using FastIngest.Server.Http;
using FastIngest.Server.Operations;

namespace FastIngest.Server.Dashboard;

/// <summary>
/// The dashboard API's access check, like <see cref="ApiAuthentication"/> (before the rate limiter, so an
/// invented key is a 401 and never a limiter partition) with one more kind of caller: the management key
/// (<c>FastIngest:Management:Key</c>), or a request on the management port, reads every tenant, as it
/// reads <c>/metrics</c>. Then open mode (no tenant API keys configured:
/// every tenant readable, as the events API is open), then a tenant API key (its own tenant). Anything
/// else is 401. The caller's <see cref="ApiCaller"/> is stored too: the shared limiter partitions by it
/// (tenant key: the tenant; management key and open mode: the client address).
/// </summary>
internal static class DashboardAuthentication
{
    private static readonly byte[] s_unauthorized = """{"error":"Missing or invalid API key"}"""u8.ToArray();

    public static TBuilder RequireDashboardAccess<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(DashboardKeyRequired.Instance);

    /// <summary>Adds the check; after routing, before <c>UseRateLimiter</c>.</summary>
    public static IApplicationBuilder UseDashboardAuthentication(this IApplicationBuilder app)
    {
        TenantKeys keys = app.ApplicationServices.GetRequiredService<TenantKeys>();
        ManagementAccess management = app.ApplicationServices.GetRequiredService<ManagementAccess>();
        ClientAddresses addresses = app.ApplicationServices.GetRequiredService<ClientAddresses>();
        ApiRefusals refusals = app.ApplicationServices.GetRequiredService<ApiRefusals>();
        return app.Use((context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<DashboardKeyRequired>() is null)
            {
                return next(context);
            }

            DashboardViewer? viewer = Identify(context, keys, management);
            if (viewer is null)
            {
                refusals.CountUnauthorized();
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer";
                context.Response.ContentType = "application/json";
                return context.Response.Body.WriteAsync(s_unauthorized, context.RequestAborted).AsTask();
            }

            context.Features.Set(viewer);
            context.Features.Set(new ApiCaller(viewer.Access == DashboardAccessKind.Tenant ? viewer.Tenant : null, addresses.Of(context)));
            return next(context);
        });
    }

    /// <summary>The viewer, or null for a request to refuse.</summary>
    public static DashboardViewer? Identify(HttpContext context, TenantKeys keys, ManagementAccess management)
    {
        // Restricted: a key or a management port is configured (unrestricted, Allows says yes to anyone).
        if (management.Restricted && management.Allows(context))
        {
            return new DashboardViewer(DashboardAccessKind.Management, null);
        }

        if (!keys.Enabled)
        {
            return new DashboardViewer(DashboardAccessKind.Open, null);
        }

        string? tenant = keys.Authenticate(context.Request);
        return tenant is null ? null : new DashboardViewer(DashboardAccessKind.Tenant, tenant);
    }
}

using FastIngest.Server.Http;

namespace FastIngest.Server.Events;

internal static class EventEndpoints
{
    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder endpoints)
    {
        EventApi api = endpoints.ServiceProvider.GetRequiredService<EventApi>();
        endpoints.MapPost("/event", api.PostEventAsync).RequireApiKey().RequireRateLimiting(ApiRateLimit.Policy);
        endpoints.MapPost("/ingest", api.IngestAsync).RequireApiKey().RequireRateLimiting(ApiRateLimit.Policy);
        return endpoints;
    }
}

namespace FastIngest.Server.Events;

internal static class EventEndpoints
{
    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder endpoints)
    {
        EventApi api = endpoints.ServiceProvider.GetRequiredService<EventApi>();
        endpoints.MapPost("/event", api.PostEventAsync).RequireRateLimiting(EventApi.RateLimitPolicy);
        endpoints.MapPost("/ingest", api.IngestAsync).RequireRateLimiting(EventApi.RateLimitPolicy);
        return endpoints;
    }
}

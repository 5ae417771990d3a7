namespace FastIngest.Server.Http;

/// <summary>
/// Authentication first, then the limits, then the handler: for an endpoint marked with
/// <see cref="RequireApiKey{TBuilder}"/>, a request whose key is not configured is answered 401 here,
/// before the rate limiter sees it, so invented keys never become limiter partitions (issue 14: a key
/// spray used to get a fresh bucket per request). A request that passes carries its
/// <see cref="ApiCaller"/> on to the limiter's partitioner and the handler.
/// </summary>
internal static class ApiAuthentication
{
    private static readonly byte[] s_unauthorized = """{"error":"Missing or invalid API key"}"""u8.ToArray();

    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(ApiKeyRequired.Instance);

    /// <summary>Adds the check; must come after routing (the endpoint is known) and before <c>UseRateLimiter</c>.</summary>
    public static IApplicationBuilder UseApiAuthentication(this IApplicationBuilder app)
    {
        TenantKeys keys = app.ApplicationServices.GetRequiredService<TenantKeys>();
        ClientAddresses addresses = app.ApplicationServices.GetRequiredService<ClientAddresses>();
        ApiRefusals refusals = app.ApplicationServices.GetRequiredService<ApiRefusals>();
        return app.Use((context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<ApiKeyRequired>() is null)
            {
                return next(context);
            }

            if (!keys.TryAuthenticate(context.Request, out string? tenant))
            {
                refusals.CountUnauthorized();
                return UnauthorizedAsync(context);
            }

            context.Features.Set(new ApiCaller(tenant, addresses.Of(context)));
            return next(context);
        });
    }

    private static Task UnauthorizedAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(s_unauthorized, context.RequestAborted).AsTask();
    }
}

using System.Globalization;
using FastIngest.Core.Reading;
using FastIngest.Server.Http;
using static FastIngest.Server.Http.JsonResponses;

namespace FastIngest.Server.Reading;

/// <summary>
/// <c>GET /stats?site_id=…[&amp;date=YYYY-MM-DD]</c>: a site's views, unique users and top paths, read from
/// ClickHouse. Same API keys and rate limit as the events API; 503 when ClickHouse does not answer.
/// </summary>
internal static partial class StatsEndpoint
{
    public static IEndpointRouteBuilder MapStats(this IEndpointRouteBuilder endpoints)
    {
        IServiceProvider services = endpoints.ServiceProvider;
        ClickHouseQueries clickHouse = services.GetRequiredService<ClickHouseQueries>();
        ILogger logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StatsEndpoint));
        endpoints.MapGet("/stats", context => GetAsync(context, clickHouse, logger)).RequireApiKey().RequireRateLimiting(ApiRateLimit.Policy);
        return endpoints;
    }

    private static async Task GetAsync(HttpContext context, ClickHouseQueries clickHouse, ILogger logger)
    {
        string? site = context.Request.Query["site_id"];
        if (string.IsNullOrEmpty(site))
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, "Missing required parameter: site_id").ConfigureAwait(false);
            return;
        }

        DateOnly? date = null;
        string? dateText = context.Request.Query["date"];
        if (!string.IsNullOrEmpty(dateText))
        {
            if (!DateOnly.TryParseExact(dateText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly parsed))
            {
                await ErrorAsync(context, StatusCodes.Status400BadRequest, "Invalid date: expected YYYY-MM-DD").ConfigureAwait(false);
                return;
            }

            date = parsed;
        }

        // The key was checked before the rate limit (ApiAuthentication); what remains is whose site this is.
        string? tenant = ApiCaller.Of(context).Tenant;
        if (tenant is not null && tenant != site)
        {
            await ErrorAsync(context, StatusCodes.Status403Forbidden, "Forbidden: this API key may not read this site_id").ConfigureAwait(false);
            return;
        }

        SiteStats stats;
        try
        {
            stats = await clickHouse.StatsAsync(site, date, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            // The driver throws its own types for server errors, HttpRequestException for the network.
            Log.StatsFailed(logger, ex);
            await ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "ClickHouse is unavailable").ConfigureAwait(false);
            return;
        }

        string answer = Json(json =>
        {
            json.WriteStartObject();
            json.WriteString("site_id", site);
            if (date is { } d)
            {
                json.WriteString("date", d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }
            else
            {
                json.WriteNull("date");
            }

            json.WriteNumber("total_views", stats.TotalViews);
            json.WriteNumber("unique_users", stats.UniqueUsers);
            json.WriteStartArray("top_paths");
            foreach ((string path, long views) in stats.TopPaths)
            {
                json.WriteStartObject();
                json.WriteString("path", path);
                json.WriteNumber("views", views);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });

        await WriteJsonAsync(context, StatusCodes.Status200OK, answer).ConfigureAwait(false);
    }

    private static partial class Log
    {
        // 311 as before the move from EventApi, so log searches still find it.
        [LoggerMessage(311, LogLevel.Warning, "GET /stats failed: ClickHouse did not answer")]
        public static partial void StatsFailed(ILogger logger, Exception exception);
    }
}

using System.Globalization;
using System.Text.Json;
using FastIngest.Core.Reading.Dashboard;
using FastIngest.Server.Http;
using FastIngest.Server.Reading;
using static FastIngest.Server.Http.JsonResponses;

namespace FastIngest.Server.Dashboard;

/// <summary>
/// The dashboard's JSON API (docs/dashboard-api.md): <c>/api/v1/me</c>, <c>/api/v1/tenants</c> and
/// <c>/api/v1/tenants/{tenant}/panels/{panel}</c> (JSON, or CSV with <c>format=csv</c>). A cold path: a
/// few requests per view and refresh, each one bounded ClickHouse query; same rate limit as <c>/stats</c>.
/// </summary>
internal static partial class DashboardApi
{
    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder endpoints)
    {
        IServiceProvider services = endpoints.ServiceProvider;
        ClickHouseQueries clickHouse = services.GetRequiredService<ClickHouseQueries>();
        ILogger logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DashboardApi));
        var tenants = new TenantDirectory(clickHouse, services.GetRequiredService<TimeProvider>());
        // After the hosted services started (the schema is applied by then), so the first page finds the list.
        services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(tenants.Warm);
        endpoints.MapGet("/api/v1/me", MeAsync).RequireDashboardAccess().RequireRateLimiting(ApiRateLimit.Policy);
        endpoints.MapGet("/api/v1/tenants", context => TenantsAsync(context, tenants, logger)).RequireDashboardAccess().RequireRateLimiting(ApiRateLimit.Policy);
        endpoints.MapGet("/api/v1/tenants/{tenant}/panels/{panel}", context => PanelAsync(context, clickHouse, logger)).RequireDashboardAccess().RequireRateLimiting(ApiRateLimit.Policy);
        return endpoints;
    }

    private static Task MeAsync(HttpContext context)
    {
        DashboardViewer viewer = DashboardViewer.Of(context);
        NoStore(context);
        return WriteJsonAsync(context, StatusCodes.Status200OK, Json(json =>
        {
            json.WriteStartObject();
            json.WriteString("access", viewer.AccessName);
            WriteStringOrNull(json, "tenant", viewer.Tenant);
            json.WriteEndObject();
        }));
    }

    private static async Task TenantsAsync(HttpContext context, TenantDirectory directory, ILogger logger)
    {
        NoStore(context);
        string? prefix = context.Request.Query["q"];
        if (!string.IsNullOrEmpty(prefix) && !PanelParameters.IsValidTenant(prefix))
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, "Invalid q: a tenant name prefix ([A-Za-z0-9_.-], at most 64)").ConfigureAwait(false);
            return;
        }

        if (!PanelParameters.TryParseLimit(context.Request.Query["limit"], TenantList.DefaultLimit, TenantList.MaxLimit, out int limit))
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, $"Invalid limit: expected 1 to {TenantList.MaxLimit}").ConfigureAwait(false);
            return;
        }

        DashboardViewer viewer = DashboardViewer.Of(context);
        IReadOnlyList<string> tenants;
        bool truncated = false;
        if (viewer.Access == DashboardAccessKind.Tenant)
        {
            // A tenant key's list is its own tenant (when the prefix fits), traffic or not: nothing to look up.
            tenants = string.IsNullOrEmpty(prefix) || viewer.Tenant!.StartsWith(prefix, StringComparison.Ordinal) ? [viewer.Tenant!] : [];
        }
        else
        {
            try
            {
                (tenants, truncated) = await directory.ListAsync(prefix, limit, context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
            {
                Log.QueryFailed(logger, "tenants", ex);
                await ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "ClickHouse is unavailable").ConfigureAwait(false);
                return;
            }
        }

        await WriteJsonAsync(context, StatusCodes.Status200OK, Json(json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("tenants");
            foreach (string tenant in tenants)
            {
                json.WriteStringValue(tenant);
            }

            json.WriteEndArray();
            json.WriteBoolean("truncated", truncated);
            json.WriteEndObject();
        })).ConfigureAwait(false);
    }

    private static async Task PanelAsync(HttpContext context, ClickHouseQueries clickHouse, ILogger logger)
    {
        NoStore(context);
        string tenant = (string)context.Request.RouteValues["tenant"]!;
        string panel = (string)context.Request.RouteValues["panel"]!;
        // Another tenant's name is answered as an unknown one: a tenant key learns nothing of who else is here.
        if (!DashboardViewer.Of(context).CanRead(tenant))
        {
            await ErrorAsync(context, StatusCodes.Status404NotFound, "Unknown tenant").ConfigureAwait(false);
            return;
        }

        if (!PanelParameters.IsValidTenant(tenant))
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, "Invalid tenant name: [A-Za-z0-9_.-], 1 to 64").ConfigureAwait(false);
            return;
        }

        if (!DashboardPanels.Exists(panel))
        {
            await ErrorAsync(context, StatusCodes.Status404NotFound, "Unknown panel").ConfigureAwait(false);
            return;
        }

        string? format = context.Request.Query["format"];
        if (!string.IsNullOrEmpty(format) && format is not ("json" or "csv"))
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, "Invalid format: json or csv").ConfigureAwait(false);
            return;
        }

        PanelRequest? request = PanelParameters.TryRead(tenant, context.Request.Query, out string? error);
        if (request is null)
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, error!).ConfigureAwait(false);
            return;
        }

        PanelTable table;
        try
        {
            table = await clickHouse.PanelAsync(panel, request, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            Log.QueryFailed(logger, panel, ex);
            await ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "ClickHouse is unavailable").ConfigureAwait(false);
            return;
        }

        if (format == "csv")
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "text/csv; charset=utf-8";
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"{FileName(request, panel)}\"";
            await context.Response.WriteAsync(PanelCsv.Write(table), context.RequestAborted).ConfigureAwait(false);
            return;
        }

        await WriteJsonAsync(context, StatusCodes.Status200OK, PanelJson(request, panel, table)).ConfigureAwait(false);
    }

    /// <summary><c>{tenant}-{panel}-{from}-{to}.csv</c>, times as yyyyMMddHHmm in the request's zone; tenant and panel are checked names.</summary>
    public static string FileName(PanelRequest request, string panel)
    {
        DashboardRange range = request.Range;
        string local(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(utc, range.Zone.Zone).ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);
        return $"{request.Tenant}-{panel}-{local(range.From)}-{local(range.To)}.csv";
    }

    public static string PanelJson(PanelRequest request, string panel, PanelTable table) => Json(json =>
    {
        DashboardRange range = request.Range;
        json.WriteStartObject();
        json.WriteString("tenant", request.Tenant);
        json.WriteString("panel", panel);
        json.WriteString("from", range.Zone.Format(range.From));
        json.WriteString("to", range.Zone.Format(range.To));
        json.WriteString("tz", range.Zone.Id);
        WriteStringOrNull(json, "grain", table.Grain);
        json.WriteStartArray("columns");
        foreach (string column in table.Columns)
        {
            json.WriteStringValue(column);
        }

        json.WriteEndArray();
        json.WriteStartArray("rows");
        foreach (object?[] row in table.Rows)
        {
            json.WriteStartArray();
            foreach (object? cell in row)
            {
                WriteCell(json, cell);
            }

            json.WriteEndArray();
        }

        json.WriteEndArray();
        json.WriteString("updated", DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        json.WriteEndObject();
    });

    private static void WriteCell(Utf8JsonWriter json, object? cell)
    {
        switch (cell)
        {
            case null:
                json.WriteNullValue();
                break;
            case long l:
                json.WriteNumberValue(l);
                break;
            case double d:
                json.WriteNumberValue(d);
                break;
            default:
                json.WriteStringValue(Convert.ToString(cell, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void NoStore(HttpContext context) => context.Response.Headers.CacheControl = "no-store";

    private static partial class Log
    {
        // The dashboard owns EventIds 1700-1799; next free: 1701.
        [LoggerMessage(1700, LogLevel.Warning, "Dashboard API: the {Panel} query failed (ClickHouse did not answer or refused it)")]
        public static partial void QueryFailed(ILogger logger, string panel, Exception exception);
    }
}

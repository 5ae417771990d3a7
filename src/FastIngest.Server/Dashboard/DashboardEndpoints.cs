namespace FastIngest.Server.Dashboard;

/// <summary>
/// <c>GET /</c>, <c>/dashboard</c> and <c>/dashboard/{file}</c>: the dashboard page and its assets, no key
/// needed (the data behind it is the keyed <c>/api/v1</c>). The page may load only what this host serves:
/// a strict Content-Security-Policy, no inline script or style, nothing from another origin.
/// </summary>
internal static class DashboardEndpoints
{
    // 'self' only; uPlot styles its elements through the CSSOM (allowed), never with inline <style> text.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder endpoints)
    {
        var files = new DashboardFiles();
        endpoints.MapMethods("/", ["GET", "HEAD"], context => ServeAsync(context, files, "index.html"));
        endpoints.MapMethods("/dashboard", ["GET", "HEAD"], context => ServeAsync(context, files, "index.html"));
        endpoints.MapMethods("/dashboard/{**file}", ["GET", "HEAD"],
            context => ServeAsync(context, files, context.Request.RouteValues["file"] as string is { Length: > 0 } file ? file : "index.html"));
        return endpoints;
    }

    private static Task ServeAsync(HttpContext context, DashboardFiles files, string path)
    {
        HttpResponse response = context.Response;
        if (!files.TryGet(path, out DashboardFile file))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        IHeaderDictionary headers = response.Headers;
        // Revalidate every time (cheap: a 304 on an unchanged ETag), so a new server version's page and
        // script are never mixed with a cached old one.
        headers.CacheControl = "no-cache";
        headers.ETag = file.ETag;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        if (file.ContentType.StartsWith("text/html", StringComparison.Ordinal))
        {
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
        }

        if (context.Request.Headers.IfNoneMatch.ToString() == file.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.ContentType = file.ContentType;
        response.ContentLength = file.Content.Length;
        return HttpMethods.IsHead(context.Request.Method)
            ? Task.CompletedTask
            : response.Body.WriteAsync(file.Content, context.RequestAborted).AsTask();
    }
}

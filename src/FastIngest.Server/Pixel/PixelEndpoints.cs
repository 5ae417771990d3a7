namespace FastIngest.Server.Pixel;

/// <summary>Puts the pixel and <c>/robots.txt</c> in front of the app.</summary>
internal static class PixelEndpoints
{
    private const string RobotsTxt = "User-agent: *\nDisallow: /\n";

    public static WebApplication UsePixel(this WebApplication app, PixelOptions options)
    {
        TrackingPixel pixel = app.Services.GetRequiredService<TrackingPixel>();
        if (options.UseEndpointRouting)
        {
            app.MapMethods("/p/{tenant}/{key}.gif", ["GET", "HEAD"], pixel.ServeAsync);
        }
        else
        {
            // Terminal for /p/ only: the pixel's requests skip routing altogether (bench/README.md).
            app.Use((HttpContext context, RequestDelegate next) => TrackingPixel.IsPixelPath(context.Request.Path) ? pixel.ServeAsync(context) : next(context));
        }

        app.MapGet("/robots.txt", () => Results.Text(RobotsTxt, "text/plain"));
        return app;
    }
}

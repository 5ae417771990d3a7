using FastIngest.Server.Events;
using FastIngest.Server.Hosting;
using FastIngest.Server.Http;
using FastIngest.Server.Pixel;
using Microsoft.Extensions.Options;

// Content root = the app's folder, so appsettings.json is found wherever the server is started from
// (run.sh starts it from the repository root).
WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});
builder.AddFastIngest();

WebApplication app = builder.Build();
app.UsePixel(app.Services.GetRequiredService<IOptions<PixelOptions>>().Value);
app.UseRateLimiter();
app.MapEvents();
app.MapHealth();
app.Run();

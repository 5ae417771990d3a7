using FastIngest.Server.Hosting;
using FastIngest.Server.Http;

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
builder.AddFastIngest();

WebApplication app = builder.Build();
app.MapHealth();
app.Run();

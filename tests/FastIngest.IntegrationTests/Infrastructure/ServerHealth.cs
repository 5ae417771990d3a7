using System.Net;
using System.Text.Json;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>What <c>GET /health</c> answered: 200 while healthy or degraded, 503 when unhealthy, and the JSON body.</summary>
internal sealed record ServerHealth(HttpStatusCode Status, JsonElement Body)
{
    /// <summary>The counter <paramref name="name"/> of the body's <c>tcp</c> object.</summary>
    public long Tcp(string name) => Body.GetProperty("tcp").GetProperty(name).GetInt64();

    /// <summary>The counter <paramref name="name"/> of the body's <c>udp</c> object.</summary>
    public long Udp(string name) => Body.GetProperty("udp").GetProperty(name).GetInt64();

    /// <summary>Lines the shards have counted, summed over the shards (published at each flush).</summary>
    public long LinesCounted => Body.GetProperty("shards").EnumerateArray().Sum(shard => shard.GetProperty("lines_counted").GetInt64());

    public override string ToString() => $"{(int)Status} {Body}";
}

using FastIngest.Core.Sinks.ClickHouse;
using FastIngest.Server.Events;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FastIngest.Server.Http;

/// <summary>
/// ClickHouse as the health of the whole server: a ping says whether it answers, the sink's queue
/// says whether that matters yet. Unhealthy (503) only once inserts have failed for longer than
/// <see cref="UnhealthyAfter"/> with batches waiting, i.e. when the queue can no longer absorb the outage.
/// </summary>
internal sealed class ClickHouseHealthCheck(ClickHouseSink sink, ClickHouseQueries queries) : IHealthCheck
{
    public static readonly TimeSpan UnhealthyAfter = TimeSpan.FromSeconds(30);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        bool reachable = await queries.PingAsync(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
        var data = new Dictionary<string, object>
        {
            ["reachable"] = reachable,
            ["queued_batches"] = sink.QueuedBatches,
            ["seconds_since_success"] = Math.Round(sink.SinceLastSuccess.TotalSeconds, 1),
        };
        if (sink.QueuedBatches > 0 && sink.SinceLastSuccess > UnhealthyAfter)
        {
            return HealthCheckResult.Unhealthy("ClickHouse has refused inserts for longer than the queue can absorb", data: data);
        }

        return reachable
            ? HealthCheckResult.Healthy("ClickHouse answers", data)
            : HealthCheckResult.Degraded("ClickHouse does not answer; inserts queue meanwhile", data: data);
    }
}

using FastIngest.Core.Sinks.ClickHouse;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FastIngest.Server.Operations;

/// <summary>
/// ClickHouse and the spool as the health of the whole server, from state only (no query per call). Unhealthy (503) only when counts are
/// being lost: ClickHouse can't take writes and the spool is full or its disk refuses writes (ENOSPC, EIO).
/// Degraded (still 200) while ClickHouse does not answer or rounds wait in the spool: nothing is lost,
/// but analysts see the data late. Degraded too while rounds ClickHouse refused for good wait in the
/// quarantine folder: nothing is lost and the rest flows (so not 503, which a load balancer would act on),
/// but those counts are missing from ClickHouse until an operator fixes the cause and runs
/// <c>FastIngest.Server spool retry</c>.
/// </summary>
internal sealed class ClickHouseHealthCheck(ShardedClickHouseSink sink, ClickHouseReachability clickHouse) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Check());

    private HealthCheckResult Check()
    {
        // State the components keep (ClickHouseReachability's last ping, the sink's last insert): a
        // /health call costs ClickHouse nothing.
        bool reachable = clickHouse.Reachable;
        var data = new Dictionary<string, object>
        {
            ["reachable"] = reachable,
            ["queued_batches"] = sink.QueuedBatches,
            ["spooled_rounds"] = sink.SpoolRecords,
            ["seconds_since_success"] = Math.Round(sink.SinceLastSuccess.TotalSeconds, 1),
        };
        if (sink.SpoolDiskFault is { } diskFault)
        {
            return HealthCheckResult.Unhealthy("ClickHouse can't take writes and the disk refuses spool writes: counts are being dropped (" + diskFault + ")", data: data);
        }

        if (sink.SpoolFull)
        {
            return HealthCheckResult.Unhealthy("ClickHouse can't take writes and the spool is full: counts are being dropped", data: data);
        }

        if (!reachable)
        {
            return HealthCheckResult.Degraded("ClickHouse does not answer; writes go to the spool meanwhile", data: data);
        }

        // Per shard (issue 19): one sink for the single server.
        int quarantined = 0;
        ClickHouseSink? quarantining = null;
        foreach (ClickHouseSink shard in sink.Shards)
        {
            int rounds = shard.Quarantine.Scan().Rounds;
            quarantined += rounds;
            quarantining ??= rounds > 0 ? shard : null;
        }

        data["quarantined_rounds"] = quarantined;
        if (quarantining is not null)
        {
            return HealthCheckResult.Degraded(
                $"{quarantined} round(s) ClickHouse refused for good wait in {quarantining.Quarantine.Directory} (last: {quarantining.LastQuarantined ?? "before this start"}); fix the cause, then run `FastIngest.Server spool retry`",
                data: data);
        }

        return sink.SpoolIsEmpty
            ? HealthCheckResult.Healthy("ClickHouse answers", data)
            : HealthCheckResult.Degraded("ClickHouse answers; the spool is being replayed", data: data);
    }
}

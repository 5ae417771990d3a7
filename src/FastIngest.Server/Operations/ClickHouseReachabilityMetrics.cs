using System.Diagnostics.Metrics;
using FastIngest.Core.Internal;

namespace FastIngest.Server.Operations;

/// <summary>How often the server asked ClickHouse whether it answers (never per <c>/health</c> call).</summary>
internal sealed class ClickHouseReachabilityMetrics(ClickHouseReachability clickHouse) : IMetricsPublisher
{
    public void Publish(Meter meter) =>
        meter.CreateObservableCounter("fastingest_clickhouse_pings_total", () => clickHouse.Pings,
            description: "SELECT 1 pings sent to ClickHouse for /health: one per Management:PingInterval at most, none while inserts succeed.");
}

using System.Diagnostics.Metrics;
using FastIngest.Core.Internal;

namespace FastIngest.Server.Events;

/// <summary>The Idempotency-Key log's numbers: writes the disk refused (each a 503, nothing counted).</summary>
internal sealed class IdempotencyMetrics(IdempotencyStore store) : IMetricsPublisher
{
    public void Publish(Meter meter) =>
        meter.CreateObservableCounter("fastingest_idempotency_write_failures_total", () => store.WriteFailures,
            description: "Idempotency-Keys the disk refused to store (ENOSPC, EIO); each request was answered 503 and not counted.");
}

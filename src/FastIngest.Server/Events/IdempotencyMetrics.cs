using System.Diagnostics.Metrics;
using FastIngest.Core.Internal;

namespace FastIngest.Server.Events;

/// <summary>The Idempotency-Key store's numbers: refused writes and keys, expiry, compaction, size.</summary>
internal sealed class IdempotencyMetrics(IdempotencyStore store) : IMetricsPublisher
{
    public void Publish(Meter meter)
    {
        meter.CreateObservableCounter("fastingest_idempotency_write_failures_total", () => store.WriteFailures,
            description: "Idempotency-Key lines the disk refused to store (ENOSPC, EIO); a refused first line is a 503 with nothing counted.");
        meter.CreateObservableCounter("fastingest_idempotency_refused_at_cap_total", () => store.RefusedAtCap,
            description: "New Idempotency-Keys refused because MaxIdempotencyKeys (503) or MaxIdempotencyKeysPerScope (429) was reached; nothing counted.");
        meter.CreateObservableCounter("fastingest_idempotency_expired_total", () => store.Expired,
            description: "Idempotency-Keys forgotten while running because IdempotencyRetention passed.");
        meter.CreateObservableCounter("fastingest_idempotency_compactions_total", () => store.Compactions,
            description: "Rewrites of idempotency-keys.log down to its live keys.");
        meter.CreateObservableGauge("fastingest_idempotency_keys", () => store.Count,
            description: "Idempotency-Keys remembered now, completed and in progress.");
    }
}

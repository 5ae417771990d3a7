using System.Diagnostics.Metrics;
using FastIngest.Core.Internal;

namespace FastIngest.Server.Files;

/// <summary>The file tails' numbers: checkpoints the disk refused (each kept the last one and was retried).</summary>
internal sealed class FileTailMetrics(FileTailSource tails) : IMetricsPublisher
{
    public void Publish(Meter meter) =>
        meter.CreateObservableCounter("fastingest_tail_checkpoint_failures_total", () => tails.CheckpointFailures,
            description: "Tail checkpoints the disk refused to save (ENOSPC, EIO); the last saved one stays, the next interval retries.");
}

using System.ComponentModel.DataAnnotations;

namespace FastIngest.Server.Events;

/// <summary>Configuration section <c>FastIngest:Events</c>: <c>POST /event</c>, <c>/ingest</c> and <c>GET /stats</c>.</summary>
public sealed class EventsOptions
{
    public const string SectionName = "FastIngest:Events";

    /// <summary>Largest body of <c>POST /event</c>, and largest single event in <c>/ingest</c>.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxEventBytes { get; set; } = 64 * 1024;

    /// <summary>Largest body of <c>POST /ingest</c>; larger is 413.</summary>
    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxBatchBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>How long an <c>Idempotency-Key</c> is remembered (across restarts).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan IdempotencyRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Requests per second allowed per API key (per client address when no keys are configured); 0 turns limiting off.</summary>
    [Range(0, 1_000_000)]
    public int RequestsPerSecond { get; set; } = 1000;

    /// <summary>Requests a key may send at once above the steady rate.</summary>
    [Range(1, 10_000_000)]
    public int Burst { get; set; } = 2000;
}

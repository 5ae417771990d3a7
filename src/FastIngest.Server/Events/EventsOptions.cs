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

    /// <summary>
    /// At most this many <c>Idempotency-Key</c>s are remembered (about 0.5 KB each in memory, up to 1.5 KB when the answer lists errors);
    /// a new key past it is answered 503 with <c>Retry-After</c> and nothing counted, never an old key evicted.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxIdempotencyKeys { get; set; } = 100_000;

    /// <summary>
    /// At most this many keys per scope (a tenant, or a client address while the API is open); a new key past it
    /// is answered 429 with <c>Retry-After</c> and nothing counted, so one client can't fill the store.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxIdempotencyKeysPerScope { get; set; } = 10_000;

    /// <summary>
    /// How long <c>/ingest</c> with an <c>Idempotency-Key</c> waits for its events to be durable before it
    /// answers 503 (the key stays in progress until they are, then a retry is replayed, or released if they
    /// could not be written, then a retry counts).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan IdempotentCommitTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Requests per second allowed per API key (per client address when no keys are configured); 0 turns limiting off.</summary>
    [Range(0, 1_000_000)]
    public int RequestsPerSecond { get; set; } = 1000;

    /// <summary>Requests a key may send at once above the steady rate.</summary>
    [Range(1, 10_000_000)]
    public int Burst { get; set; } = 2000;

    /// <summary>
    /// Body bytes per second <c>/ingest</c> takes per tenant (per client address when the API is open); 0
    /// turns the byte limit off. Past it: 429 with <c>Retry-After</c>.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long IngestBytesPerSecond { get; set; } = 128L * 1024 * 1024;

    /// <summary>Bytes a partition may send at once above the steady rate (the bucket's size).</summary>
    [Range(1024, long.MaxValue)]
    public long IngestBurstBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary><c>/ingest</c> requests a partition may have in flight at once (each stages up to <see cref="MaxBatchBytes"/>); 0 turns it off.</summary>
    [Range(0, 100_000)]
    public int IngestConcurrency { get; set; } = 16;

    /// <summary>
    /// Client addresses (IPv6 by /64) whose <c>/ingest</c> limits are remembered at once while the API is
    /// open; past it a new address is refused (429) until idle ones leave. Tenants always get in.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxAddressPartitions { get; set; } = 10_000;
}

using System.ComponentModel.DataAnnotations;

namespace FastIngest.Core.Aggregation;

/// <summary>Configuration section <c>FastIngest:Aggregation</c>.</summary>
public sealed class AggregationOptions
{
    public const string SectionName = "FastIngest:Aggregation";

    /// <summary>Default of <see cref="MaxNameBytes"/>: 1 KiB, longer than any real URL path worth a row.</summary>
    public const int DefaultMaxNameBytes = 1024;

    /// <summary>Shards (one worker each); 0 means one per processor.</summary>
    [Range(0, 1024)]
    public int Shards { get; set; }

    /// <summary>How often each shard hands its changed minute buckets to the sink.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Batches (of up to 64 KiB of messages each) a shard's channel holds before sources wait. 64 is some
    /// 20,000 lines, tens of milliseconds of a shard's work: enough to keep it busy; more only raised the
    /// peak under overload (UDP at 10,000 tenants: 12-19 MB more with 256, no faster, bench/README.md).
    /// </summary>
    [Range(1, 1_000_000)]
    public int ChannelCapacity { get; set; } = 64;

    /// <summary>
    /// Distinct visitors a shard holds before it flushes early, whatever <see cref="FlushInterval"/> says.
    /// The visitor set is the one aggregate that grows with lines per second (an import of a million
    /// lines a second meets hundreds of thousands of visitors an interval); each costs ~130 B on its way
    /// to ClickHouse (set, row, insert body). A visitor flushed twice is one hash twice to a uniq state.
    /// </summary>
    [Range(1_000, 100_000_000)]
    public int MaxVisitorsPerFlush { get; set; } = 262_144;

    /// <summary>
    /// Tenants kept in total (split evenly over the shards), configured ones (<see cref="KnownTenants"/>)
    /// not counted; lines of tenants past the cap are rejected (<c>too_many_tenants</c>).
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxTenants { get; set; } = 10_000;

    /// <summary>
    /// Tenants always admitted, outside <see cref="MaxTenants"/> and never forgotten. The server adds the
    /// tenants of <c>FastIngest:Tenants</c>, <c>FastIngest:Pixel:AllowedTenants</c> and the file sources'
    /// <c>Tenant</c>; list here any other tenant that must never be refused (e.g. one sending syslog).
    /// </summary>
    public IList<string> KnownTenants { get; } = [];

    /// <summary>
    /// New tenants (not configured, not held) admitted per minute per door (udp, tcp, http, file: the
    /// file door is exempt) over all shards, once a shard is half full; past it <c>new_tenant_rate</c>.
    /// 600 (10 a second) is far above a real CDN's new sites, and keeps a flood through one door from
    /// filling the table the other doors share. 0: no limit.
    /// </summary>
    [Range(0, 10_000_000)]
    public int NewTenantsPerMinutePerDoor { get; set; } = 600;

    /// <summary>
    /// New tenants admitted per minute per client address (syslog peer, HTTP client) over all shards, once
    /// a shard is half full; past it <c>new_tenant_address_rate</c>. 0: no limit.
    /// </summary>
    [Range(0, 10_000_000)]
    public int NewTenantsPerMinutePerAddress { get; set; } = 60;

    /// <summary>
    /// A tenant (not configured) with no message for this long is forgotten at a flush (its rows are
    /// already written) and its slot freed; when it comes back it is a new tenant again. While a shard's
    /// table is three quarters full, tenants idle for 5 minutes (or this, if shorter) are forgotten, so
    /// a flood's invented tenants leave quickly. 0: never forget.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan TenantIdleTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Distinct pixel keys kept in total; hits of keys past the cap are counted under the key
    /// <c>(other)</c>, so totals stay exact while memory stays bounded.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxPixelKeys { get; set; } = 100_000;

    /// <summary>
    /// Distinct paths (of events and of access-log lines, per file) kept per shard; further paths are
    /// counted under the path <c>(other)</c>, so totals stay exact while memory stays bounded. Buckets
    /// empty at every flush, so a table three quarters full forgets the names the last interval did not
    /// use (all of them after a flood): the cap bounds the names of an interval, not of the server's life.
    /// The same holds for <see cref="MaxPixelKeys"/> and <see cref="MaxEventTypes"/>.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxPaths { get; set; } = 100_000;

    /// <summary>
    /// Fairness between tenants: per tenant and flush interval, the first this many distinct paths (of
    /// access-log lines and events together) keep their name; the tenant's further new paths of that
    /// interval are counted under <c>(other)</c>. One tenant inventing paths cannot push every other
    /// tenant's paths into <c>(other)</c>, and sums stay exact because <c>(other)</c> carries the folded counts.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxPathsPerTenant { get; set; } = 1_000;

    /// <summary>Distinct event types kept per shard; further types are counted as <c>(other)</c>.</summary>
    [Range(1, 1_000_000)]
    public int MaxEventTypes { get; set; } = 1_000;

    /// <summary>
    /// Longest stored name (path, pixel key, event type, tenant) in UTF-8 bytes. A longer one is cut at a
    /// UTF-8 boundary and ends with "…" (within the cap); names sharing the cut prefix count together, so
    /// sums stay exact. Counted in <c>fastingest_names_truncated_total</c>. At least 64: tenant names and
    /// pixel keys (at most 64 bytes by their rules) are never cut.
    /// </summary>
    [Range(64, 1024 * 1024)]
    public int MaxNameBytes { get; set; } = DefaultMaxNameBytes;

    /// <summary>
    /// Bytes each shard's path, pixel key and event type tables hold together, each name charged its
    /// length plus about 160 bytes of bookkeeping. Past it a new name counts under <c>(other)</c>, as past
    /// the count caps; a flush forgets unused names once three quarters are spent. 32 MiB holds the
    /// default 100,000 paths of 150 bytes; the bound in docs/operations.md#bounds is a formula of it.
    /// </summary>
    [Range(64 * 1024, 64L * 1024 * 1024 * 1024)]
    public long MaxNameBytesPerShard { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// Secret the keys of the visitor and user hashes derive from (<see cref="HashKeys"/>). Empty (the
    /// default): visitors are hashed under a random key of the process, the most private choice, but a
    /// restart then counts the day's returning visitors again; user ids under a key kept in the state
    /// directory. Set the same value on every node to count visitors and users across nodes and restarts.
    /// </summary>
    public string VisitorSecret { get; set; } = "";

    /// <summary>
    /// The user-hash secret the host keeps in its state directory, used when <see cref="VisitorSecret"/> is
    /// empty; null without one (tests, benchmarks: a random secret of the process). Not configuration.
    /// </summary>
    internal byte[]? StoredUserSecret { get; set; }

    /// <summary>Samples of bad input kept per reason per minute per shard in <c>ingest_errors</c>.</summary>
    [Range(0, 1000)]
    public int RejectSamplesPerMinute { get; set; } = 3;

    /// <summary>Bytes of a bad input kept as its sample.</summary>
    [Range(16, 65536)]
    public int RejectSampleBytes { get; set; } = 512;

    /// <summary>
    /// How old a request time the live doors (syslog, pixel, events, file tail) still count, measured from
    /// the message's arrival; older lines are refused as <c>time_out_of_range</c>. Each minute counted lands
    /// in its ClickHouse partition, so a broken clock or a forged <c>msec</c> must not reach 1970. The
    /// <c>import</c> command counts history of any age regardless.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "36500.00:00:00")]
    public TimeSpan MaxLateness { get; set; } = TimeSpan.FromDays(2);

    /// <summary>How far ahead of its arrival a live door's request time may be (clock skew); later is <c>time_out_of_range</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "36500.00:00:00")]
    public TimeSpan MaxAhead { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Whether a bot's request (crawler, headless browser, HTTP library, monitor, generic tell, no agent:
    /// docs/agents.md) counts as a visitor. Off (the default): a bot still counts everywhere as a request
    /// and a hit, but not into <c>visitors_1d</c> (whole traffic and pixel keys) nor <c>agents_1d</c>'s
    /// visitors, as analytics products keep crawlers out of "unique visitors" (issue 18).
    /// </summary>
    public bool CountBotsAsVisitors { get; set; }

    /// <summary>
    /// Whether each shard keeps the classes of recent user agents (<see cref="AgentClassCache"/>, ~96 KiB);
    /// off classifies every agent (benchmarks compare the two). Not configuration.
    /// </summary>
    internal bool CacheAgentClasses { get; set; } = true;

    public int EffectiveShards => Shards > 0 ? Shards : Environment.ProcessorCount;
}

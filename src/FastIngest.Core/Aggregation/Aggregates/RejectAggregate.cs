using System.Runtime.InteropServices;
using FastIngest.Core.Ingest;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Redaction;
using FastIngest.Core.Sinks;
using Microsoft.Extensions.Logging;

namespace FastIngest.Core.Aggregation.Aggregates;

/// <summary>
/// <c>ingest_errors</c> and the reject counters: every rejection is counted by source and reason; the
/// first <see cref="AggregationOptions.RejectSamplesPerMinute"/> of each reason per minute are kept as
/// samples (their reason logged at Debug), the rest are counted per (tenant, reason, source). A sample
/// is a <see cref="RedactedSample"/>: the shape of what was wrong, never the refused bytes, which may hold
/// addresses, agents, tokens or user ids (issue 14). Owned by one shard.
/// </summary>
internal sealed class RejectAggregate
{
    private static readonly byte[] s_noTenant = [];

    private readonly Dictionary<RejectKey, ulong> _rejects = [];
    private readonly List<ErrorRow> _samples = [];
    private readonly (uint Minute, int Taken)[] _samplesTaken = new (uint, int)[RejectReasons.Count];
    // Read by metrics from other threads: one slot per (source, reason), written only by the owning shard.
    private readonly long[] _bySourceAndReason = new long[IngestSources.Count * RejectReasons.Count];
    private readonly int _samplesPerMinute;
    private readonly int _sampleBytes;
    private readonly ILogger _logger;
    private long _rejected;

    public RejectAggregate(int samplesPerMinute, int sampleBytes, ILogger logger)
    {
        _samplesPerMinute = samplesPerMinute;
        _sampleBytes = sampleBytes;
        _logger = logger;
    }

    public bool IsEmpty => _rejects.Count == 0 && _samples.Count == 0;

    /// <summary>Rejects so far, of every source and reason.</summary>
    public long Rejected => Volatile.Read(ref _rejected);

    /// <summary>Rejects so far of one source for one reason.</summary>
    public long RejectsOf(IngestSource source, RejectReason reason) =>
        Volatile.Read(ref _bySourceAndReason[((int)source * RejectReasons.Count) + (int)reason]);

    /// <param name="tenant">Null when the input named no tenant the shard knows.</param>
    /// <param name="kind">How <paramref name="input"/> is encoded (<see cref="MessageKind.Rejected"/>: a door's sample).</param>
    /// <param name="input">The refused bytes; a redacted description of them may be kept.</param>
    /// <param name="arrivedAt">Unix seconds when the input arrived: the sample's time and its minute.</param>
    public void Count(IngestSource source, InternedName? tenant, RejectReason reason, MessageKind kind, ReadOnlySpan<byte> input, uint arrivedAt)
    {
        Volatile.Write(ref _rejected, _rejected + 1);
        ref long bySourceAndReason = ref _bySourceAndReason[((int)source * RejectReasons.Count) + (int)reason];
        Volatile.Write(ref bySourceAndReason, bySourceAndReason + 1);
        uint minute = arrivedAt / 60 * 60;
        ref (uint Minute, int Taken) taken = ref _samplesTaken[(int)reason];
        if (taken.Minute != minute)
        {
            taken = (minute, 0);
        }

        if (taken.Taken < _samplesPerMinute)
        {
            taken.Taken++;
            _samples.Add(new ErrorRow(arrivedAt, IngestSources.Name(source), tenant?.NameUtf8 ?? s_noTenant, RejectReasons.Name(reason), 1, RedactedSample.Describe(kind, reason, input, _sampleBytes)));
            AggregationLog.Rejected(_logger, RejectReasons.Name(reason), source, tenant?.Name ?? "");
            return;
        }

        ref ulong count = ref CollectionsMarshal.GetValueRefOrAddDefault(_rejects, new RejectKey(tenant?.Id ?? -1, reason, source), out _);
        count++;
    }

    /// <param name="now">Unix seconds: the time of the count rows (samples keep their own).</param>
    public void ProjectInto(FlushBatch batch, NameTable tenants, uint now)
    {
        batch.Errors.AddRange(_samples);
        foreach (KeyValuePair<RejectKey, ulong> pair in _rejects)
        {
            byte[] tenant = pair.Key.TenantId >= 0 ? tenants[pair.Key.TenantId].NameUtf8 : s_noTenant;
            batch.Errors.Add(new ErrorRow(now, IngestSources.Name(pair.Key.Source), tenant, RejectReasons.Name(pair.Key.Reason), pair.Value, ""));
        }
    }

    public void Clear()
    {
        _rejects.Clear();
        _samples.Clear();
    }

    /// <summary>Rejects of one kind since the last flush; tenant -1 when the input named none.</summary>
    private readonly record struct RejectKey(int TenantId, RejectReason Reason, IngestSource Source);
}

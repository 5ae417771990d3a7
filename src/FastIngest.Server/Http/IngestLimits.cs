namespace FastIngest.Server.Http;

/// <summary>
/// <c>/ingest</c>'s limits per partition (<see cref="ApiCaller.Partition"/>): bytes per second (a token
/// bucket of bytes) and requests in flight. Each request stages up to <c>MaxBatchBytes</c> until it
/// completes, so a request count alone does not bound what a partition makes the server hold.
/// <para>
/// Bytes: a request is admitted when its partition holds at least its Content-Length in tokens (or, for a
/// larger request or a chunked body, while the bucket is full enough for <c>min(length, burst)</c>); the
/// bytes are then taken, the bucket may go into debt (a chunked body is charged as it is read), and the
/// partition waits until it is paid off: <c>Retry-After</c> says how long.
/// </para>
/// <para>
/// Bounded: tenant partitions are as many as configured tenants; client-address partitions at most
/// <c>maxAddressPartitions</c>. A partition leaves once idle with a full bucket (swept every 10 s, or at
/// once when the table is full); when it is full of busy addresses, a new address is refused (429),
/// never a tenant.
/// </para>
/// </summary>
internal sealed class IngestLimits
{
    private static readonly TimeSpan s_sweepEvery = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Partition> _partitions = new(StringComparer.Ordinal);
    private readonly double _bytesPerSecond;
    private readonly long _burst;
    private readonly int _concurrency;
    private readonly int _maxAddressPartitions;
    private readonly TimeProvider _time;
    private int _addressPartitions;
    private long _lastSweep;

    /// <param name="bytesPerSecond">Steady rate per partition; 0 turns the byte limit off.</param>
    /// <param name="burstBytes">The bucket's size: what a partition may send at once.</param>
    /// <param name="concurrency">Requests a partition may have in flight; 0 turns it off.</param>
    /// <param name="maxAddressPartitions">How many client-address partitions are kept.</param>
    public IngestLimits(long bytesPerSecond, long burstBytes, int concurrency, int maxAddressPartitions, TimeProvider time)
    {
        _bytesPerSecond = bytesPerSecond;
        _burst = burstBytes;
        _concurrency = concurrency;
        _maxAddressPartitions = maxAddressPartitions;
        _time = time;
        _lastSweep = time.GetTimestamp();
    }

    /// <summary>False when both limits are off: no state is kept at all.</summary>
    public bool Enabled => _bytesPerSecond > 0 || _concurrency > 0;

    /// <summary>Partitions held now (for <c>/metrics</c>).</summary>
    public int Partitions
    {
        get
        {
            lock (_lock)
            {
                return _partitions.Count;
            }
        }
    }

    /// <summary>
    /// Admits a request of <paramref name="contentLength"/> bytes (null: chunked) for <paramref name="caller"/>, or
    /// says why not and after how many whole seconds to retry. Dispose the lease when the request is done.
    /// </summary>
    public IngestRefusal TryEnter(ApiCaller caller, long? contentLength, out IngestLease? lease, out int retryAfterSeconds)
    {
        lease = null;
        retryAfterSeconds = 0;
        if (!Enabled)
        {
            return IngestRefusal.None;
        }

        long now = _time.GetTimestamp();
        lock (_lock)
        {
            if (_time.GetElapsedTime(_lastSweep, now) >= s_sweepEvery)
            {
                Sweep(now);
            }

            if (!_partitions.TryGetValue(caller.Partition, out Partition? partition))
            {
                if (caller.IsAnonymous && _addressPartitions >= _maxAddressPartitions)
                {
                    Sweep(now);
                    if (_addressPartitions >= _maxAddressPartitions)
                    {
                        retryAfterSeconds = 1;
                        return IngestRefusal.Partitions;
                    }
                }

                partition = new Partition(caller.IsAnonymous, _burst, now);
                _partitions.Add(caller.Partition, partition);
                if (caller.IsAnonymous)
                {
                    _addressPartitions++;
                }
            }

            Refill(partition, now);
            if (_concurrency > 0 && partition.InFlight >= _concurrency)
            {
                // A slot frees when a request ends, which nothing here can predict: one second is a fair poll.
                retryAfterSeconds = 1;
                return IngestRefusal.Concurrency;
            }

            if (_bytesPerSecond > 0)
            {
                double need = Math.Min(contentLength ?? 1, _burst);
                if (partition.Balance < need)
                {
                    retryAfterSeconds = Math.Max(1, (int)Math.Min(int.MaxValue, Math.Ceiling((need - partition.Balance) / _bytesPerSecond)));
                    return IngestRefusal.Bytes;
                }

                partition.Balance -= contentLength ?? 0;
            }

            partition.InFlight++;
            lease = new IngestLease(this, partition, charged: contentLength is not null);
            return IngestRefusal.None;
        }
    }

    /// <summary>Takes <paramref name="bytes"/> more from the partition's bucket (a chunked body, as it is read).</summary>
    internal void Charge(Partition partition, long bytes)
    {
        if (_bytesPerSecond <= 0)
        {
            return;
        }

        lock (_lock)
        {
            Refill(partition, _time.GetTimestamp());
            partition.Balance -= bytes;
        }
    }

    internal void Exit(Partition partition)
    {
        lock (_lock)
        {
            partition.InFlight--;
        }
    }

    private void Refill(Partition partition, long now)
    {
        if (_bytesPerSecond > 0)
        {
            double seconds = _time.GetElapsedTime(partition.Stamp, now).TotalSeconds;
            partition.Balance = Math.Min(_burst, partition.Balance + (seconds * _bytesPerSecond));
        }

        partition.Stamp = now;
    }

    /// <summary>Drops every idle partition whose bucket is full again: it would start the same way afresh.</summary>
    private void Sweep(long now)
    {
        _lastSweep = now;
        List<string>? idle = null;
        foreach ((string name, Partition partition) in _partitions)
        {
            Refill(partition, now);
            if (partition.InFlight == 0 && (_bytesPerSecond <= 0 || partition.Balance >= _burst))
            {
                (idle ??= []).Add(name);
            }
        }

        if (idle is null)
        {
            return;
        }

        foreach (string name in idle)
        {
            if (_partitions.Remove(name, out Partition? gone) && gone.Anonymous)
            {
                _addressPartitions--;
            }
        }
    }

    /// <summary>One partition's state; read and written under the limiter's lock only.</summary>
    internal sealed class Partition(bool anonymous, double balance, long stamp)
    {
        public bool Anonymous { get; } = anonymous;

        public double Balance { get; set; } = balance;

        public long Stamp { get; set; } = stamp;

        public int InFlight { get; set; }
    }
}

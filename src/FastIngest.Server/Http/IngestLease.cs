namespace FastIngest.Server.Http;

/// <summary>A <c>/ingest</c> request admitted by <see cref="IngestLimits"/>: holds its concurrency slot until disposed.</summary>
internal sealed class IngestLease : IDisposable
{
    private readonly IngestLimits _limits;
    private readonly IngestLimits.Partition _partition;
    private readonly bool _charged;
    private bool _disposed;

    internal IngestLease(IngestLimits limits, IngestLimits.Partition partition, bool charged)
    {
        _limits = limits;
        _partition = partition;
        _charged = charged;
    }

    /// <summary>Charges bytes read from a body whose length was not known up front (a Content-Length was charged at admission).</summary>
    public void Read(long bytes)
    {
        if (!_charged && bytes > 0)
        {
            _limits.Charge(_partition, bytes);
        }
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _limits.Exit(_partition);
        }
    }
}

namespace FastIngest.Server.Http;

/// <summary>Why <see cref="IngestLimits"/> refused a <c>/ingest</c> request.</summary>
internal enum IngestRefusal
{
    None,
    Bytes,
    Concurrency,
    Partitions,
}

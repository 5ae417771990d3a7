namespace FastIngest.Core.Ingest;

/// <summary>Where a message came in; stored with rejects in <c>ingest_errors.source</c>.</summary>
internal enum IngestSource : byte
{
    Udp = 0,
    Tcp,
    Http,
    File,
}

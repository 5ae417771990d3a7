using FastIngest.Core.Ingest;
using FastIngest.Core.Parsing;

namespace FastIngest.Core.Sinks;

/// <summary>
/// One row of <c>ingest_errors</c>: either a kept sample (<see cref="Count"/> 1, <see cref="Sample"/> set)
/// or the count of the rest of that (source, tenant, reason) since the last flush, with no sample.
/// </summary>
internal readonly record struct ErrorRow(uint Time, IngestSource Source, byte[] Tenant, RejectReason Reason, ulong Count, string Sample);

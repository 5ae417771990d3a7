namespace FastIngest.Core.Sinks;

/// <summary>
/// One row of <c>ingest_errors</c>: either a kept sample (<see cref="Count"/> 1, <see cref="Sample"/> set)
/// or the count of the rest of that (source, tenant, reason) since the last flush, with no sample.
/// </summary>
/// <param name="Source">The door's stored name (<c>udp</c>, <c>tcp</c>, <c>http</c>, <c>file</c>).</param>
/// <param name="Reason">The reason's stored snake_case name (<c>not_json</c>, <c>too_many_tenants</c> ...).</param>
/// <remarks>
/// Names, not the upstream enums: a row holds what is stored, so the sink needs nothing from the doors or
/// the parsers. The names are the static strings of <c>IngestSources</c> and <c>RejectReasons</c>, so a
/// row allocates nothing for them.
/// </remarks>
internal readonly record struct ErrorRow(uint Time, string Source, byte[] Tenant, string Reason, ulong Count, string Sample);

namespace FastIngest.Core.Sinks;

/// <summary>
/// One visitor hash for <c>visitors_1d</c>, whose write door folds hashes into uniq states.
/// <see cref="Key"/> is empty for the tenant's whole traffic, the pixel key otherwise.
/// </summary>
internal readonly record struct VisitorRow(byte[] Tenant, ushort Day, byte[] Key, ulong Visitor);

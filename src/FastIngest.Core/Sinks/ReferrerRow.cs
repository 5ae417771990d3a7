namespace FastIngest.Core.Sinks;

/// <summary>
/// One (tenant, day, source group, host, tagged source) of <c>referrers_1d</c> and one visitor of it: the
/// write door sums <see cref="Visits"/> and folds <see cref="Visitor"/> into a uniq state (0 = requests
/// without a visitor: no address, or DNT/GPC). <see cref="Group"/> is the value of
/// <c>Parsing.Referrers.ReferrerGroup</c>, which the schema's Enum8 spells out.
/// </summary>
internal readonly record struct ReferrerRow(byte[] Tenant, ushort Day, byte Group, byte[] Host, byte[] TaggedSource, ulong Visits, ulong Visitor);

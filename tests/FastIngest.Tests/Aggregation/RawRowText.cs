using System.Text;
using FastIngest.Core.Sinks;

namespace FastIngest.Tests.Aggregation;

/// <summary>A <c>requests_raw</c> row with its text read out of its set's arena, for assertions.</summary>
internal sealed record RawRowText(string Tenant, uint Time, ushort TimeMs, string Method, ushort Status, string Path, ulong BytesSent, ulong BodyBytesSent, uint RequestTimeMs, byte CacheStatus, string ReferrerHost, ulong Visitor, string AgentClass = "")
{
    public static RawRowText Of(RawRowSet set, in RawRow row) => new(
        Encoding.UTF8.GetString(row.Tenant), row.Time, row.TimeMs, Encoding.UTF8.GetString(set.Method(in row)), row.Status,
        Encoding.UTF8.GetString(set.Path(in row)), row.BytesSent, row.BodyBytesSent, row.RequestTimeMs, row.CacheStatus,
        Encoding.UTF8.GetString(set.ReferrerHost(in row)), row.Visitor, Encoding.UTF8.GetString(set.AgentClass(in row)));
}

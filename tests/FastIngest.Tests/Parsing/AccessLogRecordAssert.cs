using System.Text;
using FastIngest.Core.Parsing;

namespace FastIngest.Tests.Parsing;

/// <summary>Compares two records field by field, text by its bytes wherever each record keeps them.</summary>
internal static class AccessLogRecordAssert
{
    public static void Same(in AccessLogRecord expected, in AccessLogRecord actual) =>
        Assert.Equal(Describe(expected), Describe(actual));

    public static string Describe(in AccessLogRecord r) =>
        $"{r.TimestampMs} {r.Status} {r.BytesSent} {r.BodyBytesSent} {r.RequestTimeMs} {r.CacheStatus} {r.DoNotTrack} " +
        $"[{Text(r, r.Method)}] [{Text(r, r.Path)}] [{Text(r, r.Query)}] [{Text(r, r.Host)}] [{Text(r, r.RemoteAddr)}] [{Text(r, r.UserAgent)}] [{Text(r, r.Referer)}]";

    private static string Text(in AccessLogRecord record, Utf8Slice slice) => Convert.ToHexString(record.Text(slice)) + "|" + Encoding.UTF8.GetString(record.Text(slice));
}

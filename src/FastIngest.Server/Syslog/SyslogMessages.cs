using FastIngest.Core.Ingest;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Syslog;

namespace FastIngest.Server.Syslog;

/// <summary>What UDP and TCP syslog do with one message once it is framed: route it by its tenant.</summary>
internal static class SyslogMessages
{
    public const int RejectSampleBytes = 1024;

    /// <summary>
    /// Parses the syslog header only (the tenant picks the shard; its tag may name a custom format,
    /// <see cref="SyslogFormats"/>) and adds the body to that shard's batch; a bad or oversized message is
    /// added as a reject with a sample, to be counted on the shard. Otherwise the body's format (NGINX JSON
    /// or combined) is told per message on the shard (<see cref="MessageKind.AccessLog"/>).
    /// </summary>
    public static void Add(ShardedBatchWriter writer, SyslogFormats formats, ReadOnlySpan<byte> message, int maxMessageBytes, uint now)
    {
        if (message.Length > maxMessageBytes)
        {
            writer.Add(MessageKind.Rejected, RejectReason.MessageTooLarge, default, Sample(message), now);
            return;
        }

        if (!SyslogParser.TryParse(message, out SyslogHeader header, out RejectReason reason))
        {
            writer.Add(MessageKind.Rejected, reason, default, Sample(message), now);
            return;
        }

        ReadOnlySpan<byte> tag = message.Slice(header.TenantStart, header.TenantLength);
        // A tag mapped to its own log_format: the format's index rides in the entry to the shard's decoder.
        MessageKind kind = formats.TryFind(tag, out byte format) ? MessageKind.CustomLog : MessageKind.AccessLog;
        writer.Format = format;

        writer.Add(
            kind,
            RejectReason.None,
            tag,
            message.Slice(header.BodyStart, header.BodyLength),
            now);
    }

    public static ReadOnlySpan<byte> Sample(ReadOnlySpan<byte> message) =>
        message.Length > RejectSampleBytes ? message[..RejectSampleBytes] : message;
}

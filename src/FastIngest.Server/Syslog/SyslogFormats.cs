using System.IO.Hashing;
using System.Text;
using FastIngest.Core.Parsing.Formats;

namespace FastIngest.Server.Syslog;

/// <summary>
/// Which syslog tags (tenants) send lines in a custom format (<see cref="SyslogOptions.FormatByTag"/>):
/// looked up per message by the tag's bytes, before the message is routed, so the format index travels
/// in the ingest entry. Built once at start from configuration; immutable, shared by every receive loop
/// and connection.
/// </summary>
internal sealed class SyslogFormats
{
    // Keyed by the tag's hash, the bytes compared on a hit: no string per message. Configured tags only,
    // so a sender cannot grow it.
    private readonly Dictionary<ulong, (byte[] Tag, byte Format)> _byTag = [];

    public SyslogFormats(IReadOnlyDictionary<string, string> formatByTag, LogFormats formats)
    {
        foreach ((string tag, string name) in formatByTag)
        {
            if (!formats.TryIndexOf(name, out byte index))
            {
                throw new ArgumentException($"{SyslogOptions.SectionName}:FormatByTag:{tag}: no format '{name}' under FastIngest:Formats", nameof(formatByTag));
            }

            byte[] bytes = Encoding.UTF8.GetBytes(tag);
            _byTag[XxHash3.HashToUInt64(bytes)] = (bytes, index);
        }
    }

    /// <summary>No tag has a custom format: every message is told apart as NGINX JSON or combined.</summary>
    public static SyslogFormats None { get; } = new(new Dictionary<string, string>(), LogFormats.None);

    /// <summary>The index of <paramref name="tag"/>'s format, when it has one.</summary>
    public bool TryFind(ReadOnlySpan<byte> tag, out byte format)
    {
        // Most installations map no tag: no hash per message then.
        if (_byTag.Count > 0 && _byTag.TryGetValue(XxHash3.HashToUInt64(tag), out (byte[] Tag, byte Format) found) && tag.SequenceEqual(found.Tag))
        {
            format = found.Format;
            return true;
        }

        format = 0;
        return false;
    }
}

using System.Globalization;
using System.Text;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>The framings of RFC 6587 a TCP syslog peer sends a message in.</summary>
internal static class SyslogFrames
{
    /// <summary>Octet counting: <c>LEN SP MSG</c>.</summary>
    public static byte[] OctetCounted(byte[] message) =>
        [.. Encoding.ASCII.GetBytes(message.Length.ToString(CultureInfo.InvariantCulture) + " "), .. message];

    /// <summary>Non-transparent framing: the message, then a trailer (LF, CRLF or NUL).</summary>
    public static byte[] Trailed(byte[] message, string trailer = "\n") => [.. message, .. Encoding.ASCII.GetBytes(trailer)];
}

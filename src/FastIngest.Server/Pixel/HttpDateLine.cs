using System.Text;

namespace FastIngest.Server.Pixel;

/// <summary>
/// The <c>Date</c> header line, formatted at most once a second and shared by every response, as
/// Kestrel's heartbeat does: formatting a date per request would cost more than the rest of the answer.
/// </summary>
internal static class HttpDateLine
{
    private static byte[] s_line = Format(DateTime.UtcNow);
    private static long s_refreshAt = Environment.TickCount64 + 1000;

    /// <summary><c>Date: Wed, 25 Nov 2026 23:57:57 GMT\r\n</c>, at most a second old.</summary>
    public static ReadOnlySpan<byte> Current
    {
        get
        {
            long now = Environment.TickCount64;
            if (now >= Volatile.Read(ref s_refreshAt))
            {
                // Racing threads may each format one; the reference swap keeps every reader whole.
                Volatile.Write(ref s_line, Format(DateTime.UtcNow));
                Volatile.Write(ref s_refreshAt, now + 1000);
            }

            return Volatile.Read(ref s_line);
        }
    }

    private static byte[] Format(DateTime utc) => Encoding.ASCII.GetBytes("Date: " + utc.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "\r\n");
}

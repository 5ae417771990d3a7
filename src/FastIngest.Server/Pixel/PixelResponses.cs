using System.IO.Pipelines;
using System.Text;

namespace FastIngest.Server.Pixel;

/// <summary>
/// The pixel door's answers, precomputed: status line and fixed headers, then the connection header
/// when needed, the cached <see cref="HttpDateLine"/>, the empty line and the body. The GIF answer carries
/// the same headers as <see cref="TrackingPixel"/>'s (image/gif, 43 bytes, no-store, no cookie).
/// </summary>
internal static class PixelResponses
{
    private const string RobotsTxt = "User-agent: *\nDisallow: /\n";

    private static readonly byte[][] s_heads =
    [
        Head("200 OK", "Content-Type: image/gif\r\nContent-Length: 43\r\nCache-Control: no-store, no-cache, must-revalidate, max-age=0\r\n"),
        Head("200 OK", $"Content-Type: text/plain\r\nContent-Length: {RobotsTxt.Length}\r\n"),
        Head("404 Not Found", "Content-Length: 0\r\n"),
        Head("405 Method Not Allowed", "Allow: GET, HEAD\r\nContent-Length: 0\r\n"),
        Head("400 Bad Request", "Content-Length: 0\r\n"),
        Head("431 Request Header Fields Too Large", "Content-Length: 0\r\n"),
    ];

    private static readonly byte[] s_gif = TrackingPixel.Gif.ToArray();
    private static readonly byte[] s_robots = Encoding.ASCII.GetBytes(RobotsTxt);

    /// <summary>Writes <paramref name="response"/> into <paramref name="output"/> without flushing.</summary>
    /// <param name="bodyless">HEAD: the headers of a GET, no body.</param>
    /// <param name="keepAlive">Whether the connection stays open; <c>Connection: close</c> when not.</param>
    /// <param name="http10">An HTTP/1.0 request kept alive is told so (<c>Connection: keep-alive</c>).</param>
    public static void Write(PipeWriter output, PixelResponse response, bool bodyless, bool keepAlive, bool http10)
    {
        ReadOnlySpan<byte> head = s_heads[(int)response];
        ReadOnlySpan<byte> connection = !keepAlive ? "Connection: close\r\n"u8 : http10 ? "Connection: keep-alive\r\n"u8 : default;
        ReadOnlySpan<byte> date = HttpDateLine.Current;
        ReadOnlySpan<byte> body = bodyless ? default : response switch
        {
            PixelResponse.Gif => s_gif,
            PixelResponse.Robots => s_robots,
            _ => default,
        };

        int length = head.Length + connection.Length + date.Length + 2 + body.Length;
        Span<byte> span = output.GetSpan(length);
        head.CopyTo(span);
        int at = head.Length;
        connection.CopyTo(span[at..]);
        at += connection.Length;
        date.CopyTo(span[at..]);
        at += date.Length;
        "\r\n"u8.CopyTo(span[at..]);
        at += 2;
        body.CopyTo(span[at..]);
        output.Advance(length);
    }

    private static byte[] Head(string status, string headers) => Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\n{headers}");
}

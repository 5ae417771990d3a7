using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FastIngest.LoadGen;

/// <summary>
/// Tracking-pixel GETs over keep-alive HTTP/1.1 connections, one request in flight per connection
/// (as browsers do), each connection pacing its share. Raw sockets and pre-built requests: the
/// generator costs a send and a receive per request, nothing else.
/// </summary>
internal sealed class PixelSender(IPEndPoint target, byte[][] requests, int connections) : ISender
{
    public string Unit => "requests";

    public long Failed { get; private set; }

    public static byte[][] BuildRequests(Request[] traffic) => traffic
        .Select((r, i) => Encoding.ASCII.GetBytes(
            $"GET /p/{r.Tenant}/k{i % 20}.gif HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: {r.Agent}\r\nX-Forwarded-For: {r.RemoteAddr}\r\nReferer: https://{r.Host}{r.Uri}\r\n\r\n"))
        .ToArray();

    public async Task<long> RunAsync(long rate, long count, TimeSpan duration)
    {
        var workers = new Task<long>[connections];
        for (int c = 0; c < connections; c++)
        {
            // A bounded count is cut into consecutive slices, so that sending exactly the distinct
            // messages (a scenario's unique tenants or URIs) sends each once; unbounded runs start
            // each connection elsewhere in the cycle.
            int first = count == long.MaxValue ? c * 131 : (int)Math.Min(int.MaxValue, ((count / connections) * c) + Math.Min(c, count % connections));
            long share = count == long.MaxValue ? count : (count / connections) + (c < count % connections ? 1 : 0);
            workers[c] = Task.Run(() => SendAsync(first, rate / connections, share, duration));
        }

        long sent = 0;
        foreach (Task<long> worker in workers)
        {
            sent += await worker.ConfigureAwait(false);
        }

        return sent;
    }

    private async Task<long> SendAsync(int next, long rate, long count, TimeSpan duration)
    {
        using var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(target).ConfigureAwait(false);
        byte[] response = new byte[16 * 1024];
        var pacer = new Pacer(rate, count, duration);
        long due;
        while ((due = await pacer.DueAsync(1).ConfigureAwait(false)) > 0)
        {
            await socket.SendAsync(requests[next % requests.Length], SocketFlags.None).ConfigureAwait(false);
            next++;
            if (!await ReadResponseAsync(socket, response).ConfigureAwait(false))
            {
                Failed++;
            }

            pacer.Took(1);
        }

        return pacer.Sent;
    }

    /// <summary>Reads one response (headers, then Content-Length bytes); true for a 200.</summary>
    private static async ValueTask<bool> ReadResponseAsync(Socket socket, byte[] buffer)
    {
        int filled = 0;
        int headerEnd;
        while ((headerEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("the server closed the connection");
            }

            filled += read;
        }

        ReadOnlySpan<byte> headers = buffer.AsSpan(0, headerEnd);
        bool ok = headers.StartsWith("HTTP/1.1 200"u8);
        int contentLength = 0;
        int at = headers.IndexOf("Content-Length: "u8);
        if (at >= 0 && !Utf8Parser.TryParse(headers[(at + 16)..], out contentLength, out _))
        {
            throw new InvalidDataException("a Content-Length that is not a number");
        }

        int total = headerEnd + 4 + contentLength;
        while (filled < total)
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("the server closed the connection");
            }

            filled += read;
        }

        return ok;
    }
}

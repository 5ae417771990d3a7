using System.Net;
using System.Net.Http.Headers;

namespace FastIngest.LoadGen;

/// <summary>
/// Events in NDJSON batches to <c>POST /ingest</c>, a few connections with one batch in flight each.
/// The batch bodies are pre-built; the rate counts events, not requests.
/// </summary>
internal sealed class IngestSender(IPEndPoint target, byte[][] events, int connections, int batch) : ISender
{
    public string Unit => "events";

    public long Failed { get; private set; }

    public async Task<long> RunAsync(long rate, long count, TimeSpan duration)
    {
        // A handful of distinct bodies, cycled: building them all would cost more than sending.
        var bodies = new byte[Math.Max(1, Math.Min(64, events.Length / batch))][];
        for (int b = 0; b < bodies.Length; b++)
        {
            using var body = new MemoryStream();
            for (int i = 0; i < batch; i++)
            {
                body.Write(events[((b * batch) + i) % events.Length]);
                body.WriteByte((byte)'\n');
            }

            bodies[b] = body.ToArray();
        }

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections })
        {
            BaseAddress = new Uri($"http://{(target.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "[::1]" : "127.0.0.1")}:{target.Port}"),
            Timeout = TimeSpan.FromSeconds(60),
        };
        var workers = new Task<long>[connections];
        for (int c = 0; c < connections; c++)
        {
            int first = c;
            long share = count == long.MaxValue ? count : (count / connections) + (c < count % connections ? 1 : 0);
            workers[c] = Task.Run(() => SendAsync(http, bodies, first, rate / connections, share, duration));
        }

        long sent = 0;
        foreach (Task<long> worker in workers)
        {
            sent += await worker.ConfigureAwait(false);
        }

        return sent;
    }

    private async Task<long> SendAsync(HttpClient http, byte[][] bodies, int next, long rate, long count, TimeSpan duration)
    {
        // Paced in whole batches: the rate and the bound are in events, a request carries `batch` of them.
        var pacer = new Pacer(rate / batch, count == long.MaxValue ? count : count / batch, duration);
        while (await pacer.DueAsync(1).ConfigureAwait(false) > 0)
        {
            using var content = new ByteArrayContent(bodies[next++ % bodies.Length]);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
            using HttpResponseMessage response = await http.PostAsync(new Uri("/ingest", UriKind.Relative), content).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                Failed++;
            }

            pacer.Took(1);
        }

        return pacer.Sent * batch;
    }
}

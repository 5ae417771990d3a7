using System.Net;
using System.Net.Sockets;
using System.Text;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Sinks;
using FastIngest.Server.Http;
using FastIngest.Server.Pixel;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace FastIngest.Tests.Pixel;

/// <summary>
/// The pixel's request path, measured in a real Kestrel over a real keep-alive socket, against the
/// cheapest request Kestrel can serve (a terminal middleware that sets a status). Everything runs in
/// this process, shards included, so the figure is all the pixel costs per request.
/// </summary>
[Collection(ProcessWideMeasurements.Name)]
public sealed class PixelAllocationTests(ITestOutputHelper output)
{
    private const int Requests = 20_000;

    [Fact]
    public async Task APixelRequestAllocatesNoMoreThanAnEmptyKestrelRequest()
    {
        var sink = new DiscardingSink();
        var pipeline = new IngestPipeline(new AggregationOptions { Shards = 2 }, sink, sink.Pool, NullLogger.Instance);
        var source = new HttpIngestSource(pipeline);
        var pixel = new TrackingPixel(new PixelCounter(source, TenantAllowList.Everyone, TimeProvider.System));

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using WebApplication app = builder.Build();
        app.Use((HttpContext context, RequestDelegate next) =>
        {
            if (TrackingPixel.IsPixelPath(context.Request.Path))
            {
                return pixel.ServeAsync(context);
            }

            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        });
        pipeline.Start();
        source.Start();
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        double empty, pixelled;
        using (var client = new KeepAliveClient(address.Port))
        {
            const string Agent = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
            byte[] emptyRequest = Encoding.ASCII.GetBytes($"GET /empty HTTP/1.1\r\nHost: x\r\nUser-Agent: {Agent}\r\n\r\n");
            byte[] pixelRequest = Encoding.ASCII.GetBytes($"GET /p/acme/home.gif HTTP/1.1\r\nHost: x\r\nUser-Agent: {Agent}\r\n\r\n");
            // Twice each, keeping the second: the first round warms pools, dictionaries and the JIT.
            client.MeasureBytesPerRequest(emptyRequest, Requests);
            client.MeasureBytesPerRequest(pixelRequest, Requests);
            empty = client.MeasureBytesPerRequest(emptyRequest, Requests);
            pixelled = client.MeasureBytesPerRequest(pixelRequest, Requests);
        }

        await app.StopAsync();
        await source.StopAsync(CancellationToken.None);
        await pipeline.StopAsync();
        output.WriteLine($"empty request: {empty:F1} B, pixel request: {pixelled:F1} B (process-wide, per request)");

        // Two measured rounds plus the first exchange of each, all counted.
        Assert.Equal(2L * Requests + 2, pipeline.Shards.Sum(s => s.PixelHits));
        // Process-wide bytes include Kestrel's once-a-second Date header and timers: a few bytes of noise.
        Assert.True(pixelled <= empty + 8, $"pixel {pixelled:F1} B/request vs empty {empty:F1} B/request");
    }

    private sealed class DiscardingSink : IBatchSink
    {
        public Core.Internal.ObjectPool<FlushBatch> Pool { get; } = new();

        public ValueTask WriteAsync(FlushBatch batch, CancellationToken cancellationToken)
        {
            Pool.Return(batch);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A synchronous HTTP/1.1 client that allocates nothing per request, so it doesn't blur the measure.</summary>
    private sealed class KeepAliveClient : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        private readonly byte[] _buffer = new byte[4096];

        public KeepAliveClient(int port) => _socket.Connect(IPAddress.Loopback, port);

        public double MeasureBytesPerRequest(byte[] request, int count)
        {
            int responseLength = Exchange(request, 0);
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < count; i++)
            {
                Exchange(request, responseLength);
            }

            return (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)count;
        }

        /// <summary>Sends one request and reads its response: <paramref name="length"/> bytes, or up to the end of the first one when 0.</summary>
        private int Exchange(byte[] request, int length)
        {
            _socket.Send(request);
            int read = 0;
            while (length == 0 ? !IsComplete(_buffer.AsSpan(0, read)) : read < length)
            {
                read += _socket.Receive(_buffer, read, _buffer.Length - read, SocketFlags.None);
            }

            return read;
        }

        private static bool IsComplete(ReadOnlySpan<byte> response)
        {
            int end = response.IndexOf("\r\n\r\n"u8);
            if (end < 0)
            {
                return false;
            }

            string head = Encoding.ASCII.GetString(response[..end]);
            int at = head.IndexOf("Content-Length: ", StringComparison.OrdinalIgnoreCase);
            int body = at < 0 ? 0 : int.Parse(head.AsSpan(at + 16, head.IndexOf('\r', at) < 0 ? head.Length - at - 16 : head.IndexOf('\r', at) - at - 16), System.Globalization.CultureInfo.InvariantCulture);
            return response.Length >= end + 4 + body;
        }

        public void Dispose() => _socket.Dispose();
    }
}

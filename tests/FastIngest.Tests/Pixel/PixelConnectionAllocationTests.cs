using System.Net;
using System.Net.Sockets;
using System.Text;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Sinks;
using FastIngest.Server.Http;
using FastIngest.Server.Pixel;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace FastIngest.Tests.Pixel;

/// <summary>
/// The pixel port's request path (PixelConnectionHandler), in a real Kestrel over a real keep-alive
/// socket, shards included: once warm a request allocates nothing, one at a time or pipelined.
/// </summary>
[Collection(ProcessWideMeasurements.Name)]
public sealed class PixelConnectionAllocationTests(ITestOutputHelper output)
{
    private const int Requests = 20_000;
    // One test thread uses it; allocated once, so the measure sees only the server's bytes.
    private static readonly byte[] s_buffer = new byte[64 * 1024];
    private const string Agent = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

    [Fact]
    public async Task APixelPortRequestAllocatesNothingOnceWarm()
    {
        var sink = new DiscardingSink();
        var pipeline = new IngestPipeline(new AggregationOptions { Shards = 2 }, sink, sink.Pool, NullLogger.Instance);
        var source = new HttpIngestSource(pipeline);
        var counter = new PixelCounter(source, TenantAllowList.Everyone, TimeProvider.System);

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(counter);
        builder.Services.AddSingleton(new ClientAddresses([]));
        builder.Services.AddSingleton(Options.Create(new PixelOptions()));
        builder.Services.AddSingleton<PixelConnectionHandler>();
        int port = FastIngest.Testing.FreePorts.Tcp();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, listen => listen.UseConnectionHandler<PixelConnectionHandler>()));
        await using WebApplication app = builder.Build();
        pipeline.Start();
        source.Start();
        await app.StartAsync();

        double single, pipelined;
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true })
        {
            socket.Connect(IPAddress.Loopback, port);
            byte[] one = Encoding.ASCII.GetBytes($"GET /p/acme/home.gif?r=1 HTTP/1.1\r\nHost: x\r\nUser-Agent: {Agent}\r\nAccept: */*\r\n\r\n");
            byte[] sixteen = [.. Enumerable.Repeat(one, 16).SelectMany(r => r)];
            int responseLength = Exchange(socket, one, 0);
            // Twice each, keeping the second: the first round warms pools, the shards' sets and the JIT.
            Measure(socket, one, responseLength, Requests);
            Measure(socket, sixteen, 16 * responseLength, Requests / 16);
            single = Measure(socket, one, responseLength, Requests);
            pipelined = Measure(socket, sixteen, 16 * responseLength, Requests / 16) / 16;
        }

        await app.StopAsync();
        await source.StopAsync(CancellationToken.None);
        await pipeline.StopAsync();
        output.WriteLine($"pixel port: {single:F2} B/request one at a time, {pipelined:F2} B/request pipelined 16 deep (process-wide)");

        Assert.Equal(1L + (4L * Requests), pipeline.Shards.Sum(s => s.PixelHits));
        // Process-wide bytes include the Date line formatted once a second and timers: a few bytes of noise.
        Assert.True(single <= 4, $"{single:F2} B/request");
        Assert.True(pipelined <= 4, $"{pipelined:F2} B/request pipelined");
    }

    private static double Measure(Socket socket, byte[] request, int responseLength, int count)
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < count; i++)
        {
            Exchange(socket, request, responseLength);
        }

        return (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)count;
    }

    /// <summary>Sends and reads <paramref name="length"/> bytes back (the whole first response when 0: up to its 43-byte GIF).</summary>
    private static int Exchange(Socket socket, byte[] request, int length)
    {
        byte[] buffer = s_buffer;
        socket.Send(request);
        int read = 0;
        while (length == 0 ? !Complete(buffer.AsSpan(0, read)) : read < length)
        {
            read += socket.Receive(buffer, read, buffer.Length - read, SocketFlags.None);
        }

        return read;
    }

    private static bool Complete(ReadOnlySpan<byte> response)
    {
        int end = response.IndexOf("\r\n\r\n"u8);
        return end >= 0 && response.Length >= end + 4 + 43;
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
}

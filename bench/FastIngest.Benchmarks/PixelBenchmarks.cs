using BenchmarkDotNet.Attributes;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Internal;
using FastIngest.Core.Sinks;
using FastIngest.Server.Http;
using FastIngest.Server.Pixel;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastIngest.Benchmarks;

/// <summary>
/// The pixel request path in process: <see cref="TrackingPixel"/> on a reused
/// <see cref="DefaultHttpContext"/> (no sockets, no Kestrel), hits queued to a running shard.
/// Baseline: an empty endpoint on the same context, the floor of this harness; Kestrel's own cost
/// and its per-request allocations are in PixelAllocationTests and the wrk figures.
/// </summary>
[MemoryDiagnoser]
public class PixelBenchmarks
{
    private const int Requests = 1024;

    private readonly DefaultHttpContext _context = new();
    private PathString[] _paths = null!;
    private IngestPipeline _pipeline = null!;
    private HttpIngestSource _source = null!;
    private TrackingPixel _pixel = null!;

    [GlobalSetup]
    public void Setup()
    {
        var pool = new ObjectPool<FlushBatch>();
        _pipeline = new IngestPipeline(new AggregationOptions { Shards = 1 }, new DiscardingSink(pool), pool, NullLogger.Instance);
        _pipeline.Start();
        _source = new HttpIngestSource(_pipeline);
        _source.Start();
        _pixel = new TrackingPixel(new PixelCounter(_source, TenantAllowList.Everyone, TimeProvider.System));
        _paths = Enumerable.Range(0, Requests).Select(i => new PathString($"/p/{Data.Tenant(i)}/k{i % 20}.gif")).ToArray();
        _context.Request.Method = HttpMethods.Get;
        _context.Request.Headers.UserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
        _context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("10.1.2.3");
        _context.Response.Body = Stream.Null;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _source.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        _pipeline.StopAsync().GetAwaiter().GetResult();
        _source.Dispose();
        _pipeline.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Requests)]
    public int EmptyEndpoint()
    {
        int sum = 0;
        foreach (PathString path in _paths)
        {
            _context.Request.Path = path;
            _context.Response.StatusCode = StatusCodes.Status200OK;
            sum += _context.Response.StatusCode;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Requests)]
    public async Task<int> TrackingPixelServe()
    {
        int sum = 0;
        HttpResponse response = _context.Response;
        foreach (PathString path in _paths)
        {
            _context.Request.Path = path;
            response.Headers.Clear();
            await _pixel.ServeAsync(_context).ConfigureAwait(false);
            sum += response.StatusCode;
        }

        return sum;
    }
}

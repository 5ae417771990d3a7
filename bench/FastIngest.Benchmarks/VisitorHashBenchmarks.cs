using System.IO.Hashing;
using System.Text;
using BenchmarkDotNet.Attributes;
using FastIngest.Core.Aggregation;

namespace FastIngest.Benchmarks;

/// <summary>
/// The visitor hash every access-log line and pixel hit pays (issue 14): the keyed SipHash-2-4 of
/// <see cref="VisitorHasher"/> against the XxHash3 with a derived seed it replaced (baseline), for a
/// typical tenant, IPv4 address and 110-byte user agent.
/// </summary>
[MemoryDiagnoser]
public class VisitorHashBenchmarks
{
    private static readonly byte[] s_tenant = "shop_example"u8.ToArray();
    private static readonly byte[] s_address = "203.0.113.77"u8.ToArray();
    private static readonly byte[] s_agent = Encoding.UTF8.GetBytes("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36");
    private readonly byte[] _secret = new byte[32];
    private readonly byte[] _input = new byte[1024];
    private readonly VisitorHasher _hasher = new(HashKeys.Visitors(new AggregationOptions { VisitorSecret = "benchmark-secret" }));

    [Benchmark(Baseline = true)]
    public ulong XxHash3WithDerivedSeed()
    {
        Span<byte> input = _input;
        int at = 0;
        s_tenant.CopyTo(input);
        at += s_tenant.Length;
        input[at++] = 0;
        s_address.CopyTo(input[at..]);
        at += s_address.Length;
        input[at++] = 0;
        s_agent.CopyTo(input[at..]);
        at += s_agent.Length;
        long salt = (long)XxHash3.HashToUInt64(_secret, 20_400);
        return XxHash3.HashToUInt64(input[..at], salt);
    }

    [Benchmark]
    public ulong KeyedSipHash()
    {
        _hasher.TryHash(20_400, s_tenant, s_address, s_agent, out ulong hash);
        return hash;
    }
}

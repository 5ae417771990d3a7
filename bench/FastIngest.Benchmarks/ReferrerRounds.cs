using System.Diagnostics;
using System.Globalization;
using System.Text;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Aggregation.Aggregates;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Agents;
using FastIngest.Core.Parsing.Referrers;
using static FastIngest.Benchmarks.RoundStatistics;

namespace FastIngest.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- referrers N</c>: issue 18's referrer classification per referrer, as N
/// interleaved rounds over the same 4096 referrers (a mix: 40 % none, search across country domains,
/// social, internal, webmail, other sites with paths), against <see cref="ReferrerHost.Extract"/> alone
/// (what raw rows already pay), plus the tagged-source read over page URLs. Rounds, not BenchmarkDotNet,
/// for the reason in <see cref="ParseRounds"/>: the machine is shared.
/// </summary>
public static class ReferrerRounds
{
    private const int Count = 4096;
    private static readonly OwnHosts s_own = new(["shop.mysite.test"]);
    private static readonly byte[] s_requestHost = "www.mysite.test"u8.ToArray();
    private static readonly byte[] s_host = new byte[ReferrerClassifier.MaxHostBytes];
    private static readonly byte[] s_value = new byte[TaggedSource.MaxBytes];
    private static readonly byte[][] s_referrers = MakeReferrers();
    private static readonly byte[][] s_targets = MakeTargets();
    // The shard's wiring (issue 18, item 1): a warm aggregate counting into buckets it already has, as a
    // shard does mid-interval; 512 visitors, so about every referrer and visitor has its bucket.
    private static readonly ReferrerAggregate s_aggregate = NewAggregate(out s_tenant);
    private static readonly InternedName s_tenant;
    private static readonly byte[] s_agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"u8.ToArray();

    private static readonly (string Name, Func<long> Run)[] s_methods =
    [
        ("host only", HostOnly),
        ("classify", Classify),
        ("tagged source", Tagged),
        ("count", CountLines),
        ("agent+count", AgentAndCount),
    ];

    public static void Run(int rounds)
    {
        var perCall = new double[s_methods.Length][];
        var bytes = new long[s_methods.Length];
        for (int m = 0; m < s_methods.Length; m++)
        {
            perCall[m] = new double[rounds];
        }

        // Warm up by time, not by count: these methods are cheap enough that ParseRounds' 60 passes end
        // inside the runtime's call-counting delay, and the first timed rounds measured tier-0 code
        // (300 rounds: classify 370 ns; 3000 rounds, or DOTNET_TieredCompilation=0: 66–75 ns).
        long warm = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(warm).TotalSeconds < 2)
        {
            foreach ((string _, Func<long> run) in s_methods)
            {
                run();
            }
        }

        long sink = 0;
        for (int r = 0; r < rounds; r++)
        {
            for (int k = 0; k < s_methods.Length; k++)
            {
                int m = (k + r) % s_methods.Length;
                long allocated = GC.GetAllocatedBytesForCurrentThread();
                long start = Stopwatch.GetTimestamp();
                sink += s_methods[m].Run();
                perCall[m][r] = Stopwatch.GetElapsedTime(start).TotalNanoseconds / Count;
                bytes[m] += GC.GetAllocatedBytesForCurrentThread() - allocated;
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rounds} rounds of {Count} referrers (sink {sink})"));
        for (int m = 0; m < s_methods.Length; m++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{s_methods[m].Name,-14} min {perCall[m].Min(),6:F1} ns  median {Median(perCall[m]),6:F1} ns  {(double)bytes[m] / ((long)rounds * Count),6:F3} B/call"));
        }
    }

    private static long HostOnly()
    {
        long sum = 0;
        foreach (byte[] referrer in s_referrers)
        {
            sum += ReferrerHost.Extract(referrer, s_host);
        }

        return sum;
    }

    private static long Classify()
    {
        long sum = 0;
        foreach (byte[] referrer in s_referrers)
        {
            ReferrerSource source = ReferrerClassifier.Classify(referrer, s_requestHost, s_own, s_host);
            sum += source.HostLength + (int)source.Group;
        }

        return sum;
    }

    /// <summary>What <c>Shard.CountAccessLog</c> adds per line: classify, budget, bucket.</summary>
    private static long CountLines()
    {
        for (int i = 0; i < s_referrers.Length; i++)
        {
            s_aggregate.Count(s_tenant, 1_795_390_925_000, s_referrers[i], s_requestHost, default, (ulong)(i & 511) + 1);
        }

        return s_aggregate.Held;
    }

    /// <summary>The same with the bot check in front (the agent classification the agents wiring shares).</summary>
    private static long AgentAndCount()
    {
        long bots = 0;
        for (int i = 0; i < s_referrers.Length; i++)
        {
            if (UserAgentClassifier.Classify(s_agent).IsBot)
            {
                bots++;
                continue;
            }

            s_aggregate.Count(s_tenant, 1_795_390_925_000, s_referrers[i], s_requestHost, default, (ulong)(i & 511) + 1);
        }

        return s_aggregate.Held + bots;
    }

    private static ReferrerAggregate NewAggregate(out InternedName tenant)
    {
        var options = new ReferrerOptions();
        options.OwnHosts["shop"] = ["shop.mysite.test"];
        tenant = new InternedName(0, 0, "shop"u8);
        return new ReferrerAggregate(options);
    }

    private static long Tagged()
    {
        long sum = 0;
        foreach (byte[] target in s_targets)
        {
            sum += TaggedSource.Read(target, s_value);
        }

        return sum;
    }

    private static byte[][] MakeReferrers()
    {
        string[] search = ["https://www.google.com/", "https://www.google.de/", "https://www.google.co.uk/", "https://www.google.com.br/", "https://www.bing.com/search?q=fast+ingest&form=QBLH", "https://duckduckgo.com/", "https://yandex.ru/", "https://www.ecosia.org/"];
        string[] social = ["https://t.co/AbC123xyz", "https://l.facebook.com/l.php?u=https%3A%2F%2Fmysite.test%2F", "https://www.reddit.com/r/dotnet/comments/1", "https://news.ycombinator.com/item?id=41000000", "https://www.linkedin.com/", "android-app://com.linkedin.android/"];
        string[] own = ["https://www.mysite.test/pricing", "https://mysite.test/blog/post-1?page=2", "https://shop.mysite.test/cart"];
        string[] mail = ["https://mail.google.com/", "https://outlook.live.com/", "android-app://com.google.android.gm/"];
        string[] other = ["https://blog.example.com/2026/11/links-of-the-week/", "http://192.168.1.10/admin", "https://user:pw@news.example.co.uk:8443/story?id=1", "https://xn--bcher-kva.example/"];
        var random = new Random(18);
        var referrers = new byte[Count][];
        for (int i = 0; i < Count; i++)
        {
            int roll = random.Next(100);
            string referrer = roll switch
            {
                < 40 => "-",
                < 65 => search[random.Next(search.Length)],
                < 80 => social[random.Next(social.Length)],
                < 90 => own[random.Next(own.Length)],
                < 94 => mail[random.Next(mail.Length)],
                _ => other[random.Next(other.Length)],
            };
            referrers[i] = Encoding.UTF8.GetBytes(referrer);
        }

        return referrers;
    }

    private static byte[][] MakeTargets()
    {
        string[] targets = ["/", "/pricing", "/blog/post-1?page=2", "/?utm_source=Newsletter&utm_medium=email", "/landing?gclid=abc123&utm_campaign=x&utm_source=google", "/?ref=producthunt", "/a/b/c?x=1&y=2&z=3"];
        var targetBytes = new byte[Count][];
        for (int i = 0; i < Count; i++)
        {
            targetBytes[i] = Encoding.UTF8.GetBytes(targets[i % targets.Length]);
        }

        return targetBytes;
    }
}

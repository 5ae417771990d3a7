using System.Diagnostics;
using System.Globalization;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Agents;
using FastIngest.Core.Parsing.Json;
using FastIngest.Tests.Parsing.Agents;
using static FastIngest.Benchmarks.RoundStatistics;

namespace FastIngest.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- agents N</c>: the user-agent classifier (issue 18) in N interleaved rounds,
/// as <see cref="ParseRounds"/> does for the parsers: ns per agent over the test table of real agents
/// (browsers, bots, libraries, the 1500-byte corpus agent), and ns per line of the JSON parse with and
/// without classifying the parsed line's agent, the added cost the wiring will pay per line.
/// </summary>
public static class AgentRounds
{
    private static readonly byte[][] s_table = [.. UserAgentTable.Rows.Select(static r => r.Agent)];
    private static readonly byte[][] s_json = Data.JsonLines;
    private static AccessLogRecord s_record = new(4096);

    private static readonly (string Name, int Items, Func<long> Run)[] s_methods =
    [
        ("classify table", s_table.Length, ClassifyTable),
        ("json parse", Data.Lines, static () => ParseJson(classify: false)),
        ("json parse+classify", Data.Lines, static () => ParseJson(classify: true)),
    ];

    public static void Run(int rounds)
    {
        var perItem = new double[s_methods.Length][];
        var bytes = new long[s_methods.Length];
        for (int m = 0; m < s_methods.Length; m++)
        {
            perItem[m] = new double[rounds];
        }

        for (int i = 0; i < 60; i++)
        {
            foreach ((string _, int _, Func<long> run) in s_methods)
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
                perItem[m][r] = Stopwatch.GetElapsedTime(start).TotalNanoseconds / s_methods[m].Items;
                bytes[m] += GC.GetAllocatedBytesForCurrentThread() - allocated;
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rounds} rounds; table {s_table.Length} agents, {Data.Lines} JSON lines (sink {sink})"));
        for (int m = 0; m < s_methods.Length; m++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{s_methods[m].Name,-20} min {perItem[m].Min(),7:F1} ns  median {Median(perItem[m]),7:F1} ns  {(double)bytes[m] / ((long)rounds * s_methods[m].Items),6:F3} B/item"));
        }

        double[] added = perItem[2].Zip(perItem[1], static (with, without) => with - without).ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT_AGENTS classify_table_ns={Median(perItem[0]):F1} json_parse_ns={Median(perItem[1]):F1} json_parse_classify_ns={Median(perItem[2]):F1} classify_added_ns={Median(added):F1} classify_bytes_per_agent={(double)bytes[0] / ((long)rounds * s_table.Length):F3}"));
    }

    private static long ClassifyTable()
    {
        long sum = 0;
        foreach (byte[] agent in s_table)
        {
            UserAgentClass c = UserAgentClassifier.Classify(agent);
            sum += c.MajorVersion + (int)c.Browser + (int)c.Bot;
        }

        return sum;
    }

    private static long ParseJson(bool classify)
    {
        long sum = 0;
        foreach (byte[] line in s_json)
        {
            if (NginxJsonParser.TryParse(line, 0, line.Length, ref s_record, out _))
            {
                sum += s_record.Status;
                if (classify)
                {
                    UserAgentClass c = UserAgentClassifier.Classify(s_record.Text(s_record.UserAgent));
                    sum += (int)c.Browser + (int)c.Bot;
                }
            }
        }

        return sum;
    }
}

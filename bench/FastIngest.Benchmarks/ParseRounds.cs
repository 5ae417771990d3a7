using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Combined;
using FastIngest.Core.Parsing.Formats;
using FastIngest.Core.Parsing.Json;

namespace FastIngest.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- rounds N</c>: the parse ratios of <see cref="JsonLineBenchmarks"/> as N
/// interleaved rounds in one process, each method once per round over the same 4096 lines, reporting the
/// fastest round and the median. On a shared machine (issue 15: up to five engineers on two cores) a
/// BenchmarkDotNet short job's mean moves by 2–5× with the others' work; the minimum of interleaved
/// rounds, and the ratio within a round, are what other processes disturb least.
/// </summary>
public static class ParseRounds
{
    private static readonly byte[][] s_json = Data.JsonLines;
    private static readonly byte[][] s_combined = Data.CombinedLines;
    private static readonly byte[][] s_main = Data.MainLines;
    private static readonly LogFormat s_customCombined = LogFormatCompiler.Compile("combined_copy", Data.CombinedFormat);
    private static readonly LogFormat s_customMain = LogFormatCompiler.Compile("main", Data.MainFormat);
    private static AccessLogRecord s_record = new(4096);

    private static readonly (string Name, Func<long> Run)[] s_methods =
    [
        ("walk", Walk),
        ("parser", Parser),
        ("parser (copying)", ParserCopying),
        ("JsonSerializer", Serializer),
        ("combined", Combined),
        ("custom combined", CustomCombined),
        ("custom main", CustomMain),
    ];

    public static void Run(int rounds, string? only = null)
    {
        if (only is not null)
        {
            Func<long> alone = Array.Find(s_methods, m => m.Name == only).Run ?? throw new ArgumentException("no method " + only);
            long total = 0;
            for (int i = 0; i < rounds; i++)
            {
                total += alone();
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{only}: {rounds} rounds (sink {total})"));
            return;
        }

        var perLine = new double[s_methods.Length][];
        for (int m = 0; m < s_methods.Length; m++)
        {
            perLine[m] = new double[rounds];
        }

        // Past tiering: every method runs hot before the first timed round.
        for (int i = 0; i < 60; i++)
        {
            foreach ((string _, Func<long> run) in s_methods)
            {
                run();
            }
        }

        long sink = 0;
        long parserBytes = 0;
        long customBytes = 0;
        for (int r = 0; r < rounds; r++)
        {
            for (int k = 0; k < s_methods.Length; k++)
            {
                // Rotate the order so no method always runs after the same one.
                int m = (k + r) % s_methods.Length;
                long allocated = GC.GetAllocatedBytesForCurrentThread();
                long start = Stopwatch.GetTimestamp();
                sink += s_methods[m].Run();
                perLine[m][r] = Stopwatch.GetElapsedTime(start).TotalNanoseconds / Data.Lines;
                if (m == 1)
                {
                    parserBytes += GC.GetAllocatedBytesForCurrentThread() - allocated;
                }
                else if (m >= 5)
                {
                    customBytes += GC.GetAllocatedBytesForCurrentThread() - allocated;
                }
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rounds} rounds of {Data.Lines} lines (sink {sink})"));
        for (int m = 0; m < s_methods.Length; m++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s_methods[m].Name,-18} min {perLine[m].Min(),7:F1} ns  median {Median(perLine[m]),7:F1} ns"));
        }

        double[] walkOverParser = perLine[0].Zip(perLine[1], static (w, p) => w / p).ToArray();
        double[] serializerOverParser = perLine[3].Zip(perLine[1], static (s, p) => s / p).ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"parser vs walk: {perLine[0].Min() / perLine[1].Min():F3}x (mins), {Median(walkOverParser):F3}x (median of per-round ratios)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"parser vs JsonSerializer: {perLine[3].Min() / perLine[1].Min():F3}x (mins), {Median(serializerOverParser):F3}x (median of per-round ratios)"));
        // The custom format's matcher against the built-in combined parser on the very same lines (issue 16: ≤ 1.5×).
        double[] customOverCombined = perLine[5].Zip(perLine[4], static (c, b) => c / b).ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"custom combined vs combined: {perLine[5].Min() / perLine[4].Min():F3}x (mins), {Median(customOverCombined):F3}x (median of per-round ratios)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT_CUSTOM custom_combined_ns={Median(perLine[5]):F1} custom_main_ns={Median(perLine[6]):F1} custom_over_combined={Median(customOverCombined):F3} custom_bytes_per_line={(double)customBytes / (2L * rounds * Data.Lines):F3}"));

        // One line for scripts (bench/compare.sh): medians per line, and what the parser allocated per line.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT walk_ns={Median(perLine[0]):F1} parser_ns={Median(perLine[1]):F1} serializer_ns={Median(perLine[3]):F1} combined_ns={Median(perLine[4]):F1} walk_over_parser={Median(walkOverParser):F3} serializer_over_parser={Median(serializerOverParser):F3} parser_bytes_per_line={(double)parserBytes / ((long)rounds * Data.Lines):F3}"));
    }

    private static double Median(double[] values)
    {
        double[] sorted = [.. values];
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }

    private static long Walk()
    {
        long tokens = 0;
        foreach (byte[] line in s_json)
        {
            var reader = new Utf8JsonReader(line);
            while (reader.Read())
            {
                tokens++;
            }
        }

        return tokens;
    }

    private static long Parser()
    {
        long sum = 0;
        foreach (byte[] line in s_json)
        {
            if (NginxJsonParser.TryParse(line, 0, line.Length, ref s_record, out _))
            {
                sum += s_record.Status;
            }
        }

        return sum;
    }

    private static long ParserCopying()
    {
        long sum = 0;
        foreach (byte[] line in s_json)
        {
            if (NginxJsonParser.TryParse(line.AsSpan(), ref s_record, out _))
            {
                sum += s_record.Status;
            }
        }

        return sum;
    }

    private static long Serializer()
    {
        long sum = 0;
        foreach (byte[] line in s_json)
        {
            sum += JsonSerializer.Deserialize<JsonLineBenchmarks.NginxLine>(line)!.status?.Length ?? 0;
        }

        return sum;
    }

    private static long CustomCombined() => Custom(s_customCombined, s_combined);

    private static long CustomMain() => Custom(s_customMain, s_main);

    private static long Custom(LogFormat format, byte[][] lines)
    {
        long sum = 0;
        foreach (byte[] line in lines)
        {
            if (format.TryParse(line, 0, line.Length, ref s_record, out _))
            {
                sum += s_record.Status;
            }
        }

        return sum;
    }

    private static long Combined()
    {
        long sum = 0;
        foreach (byte[] line in s_combined)
        {
            if (CombinedLogParser.TryParse(line, 0, line.Length, ref s_record, out _))
            {
                sum += s_record.Status;
            }
        }

        return sum;
    }
}

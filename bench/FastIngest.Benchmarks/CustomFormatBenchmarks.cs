using BenchmarkDotNet.Attributes;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Combined;
using FastIngest.Core.Parsing.Formats;

namespace FastIngest.Benchmarks;

/// <summary>
/// An operator's own <c>log_format</c> (issue 16): the <c>combined</c> text compiled as a custom format
/// against the built-in combined parser (baseline) on the same lines, and the docs' <c>main</c> with more
/// fields. On a shared machine prefer <c>rounds</c> (<see cref="ParseRounds"/>), which prints the same rows.
/// </summary>
[MemoryDiagnoser]
public class CustomFormatBenchmarks
{
    private readonly byte[][] _combined = Data.CombinedLines;
    private readonly byte[][] _main = Data.MainLines;
    private readonly LogFormat _customCombined = LogFormatCompiler.Compile("combined_copy", Data.CombinedFormat);
    private readonly LogFormat _customMain = LogFormatCompiler.Compile("main", Data.MainFormat);
    private AccessLogRecord _record = new(4096);

    [Benchmark(Baseline = true, OperationsPerInvoke = Data.Lines)]
    public long BuiltInCombined()
    {
        long sum = 0;
        foreach (byte[] line in _combined)
        {
            if (CombinedLogParser.TryParse(line, 0, line.Length, ref _record, out _))
            {
                sum += _record.Status;
            }
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Data.Lines)]
    public long CustomCombined() => Parse(_customCombined, _combined);

    [Benchmark(OperationsPerInvoke = Data.Lines)]
    public long CustomMain() => Parse(_customMain, _main);

    private long Parse(LogFormat format, byte[][] lines)
    {
        long sum = 0;
        foreach (byte[] line in lines)
        {
            if (format.TryParse(line, 0, line.Length, ref _record, out _))
            {
                sum += _record.Status;
            }
        }

        return sum;
    }
}

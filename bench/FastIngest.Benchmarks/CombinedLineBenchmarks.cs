using System.Text;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Combined;

namespace FastIngest.Benchmarks;

/// <summary>
/// One NGINX <c>combined</c> line into a record (the file import and tail path). Baseline: our
/// parser; the peer is the regular expression a straightforward importer would use, on a string.
/// </summary>
[MemoryDiagnoser]
public partial class CombinedLineBenchmarks
{
    private readonly byte[][] _lines = Data.CombinedLines;
    private AccessLogRecord _record = new(4096);

    [Benchmark(Baseline = true, OperationsPerInvoke = Data.Lines)]
    public long CombinedLogParser_()
    {
        long sum = 0;
        foreach (byte[] line in _lines)
        {
            if (CombinedLogParser.TryParse(line, 0, line.Length, ref _record, out _))
            {
                sum += _record.Status;
            }
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Data.Lines)]
    public long RegexOnString()
    {
        long sum = 0;
        foreach (byte[] line in _lines)
        {
            Match match = Combined().Match(Encoding.UTF8.GetString(line));
            if (match.Success)
            {
                sum += int.Parse(match.Groups["status"].ValueSpan, provider: null) + match.Groups["path"].Length + match.Groups["agent"].Length;
            }
        }

        return sum;
    }

    [GeneratedRegex("""^(?<addr>\S+) \S+ (?<user>\S+) \[(?<time>[^\]]+)\] "(?<method>\S+) (?<path>\S+) (?<proto>[^"]+)" (?<status>\d{3}) (?<bytes>\d+) "(?<referer>[^"]*)" "(?<agent>[^"]*)"$""")]
    private static partial Regex Combined();
}

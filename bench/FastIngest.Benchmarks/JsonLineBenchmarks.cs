using System.Text.Json;
using BenchmarkDotNet.Attributes;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Json;

namespace FastIngest.Benchmarks;

/// <summary>
/// One NGINX JSON line into what the aggregates need. Baseline: a bare <see cref="Utf8JsonReader"/>
/// token walk over the same bytes, the ceiling of this design (it reads, it does not convert).
/// </summary>
[MemoryDiagnoser]
public class JsonLineBenchmarks
{
    private readonly byte[][] _lines = Data.JsonLines;
    private AccessLogRecord _record = new(4096);

    [Benchmark(Baseline = true, OperationsPerInvoke = Data.Lines)]
    public int Utf8JsonReaderWalk()
    {
        int tokens = 0;
        foreach (byte[] line in _lines)
        {
            var reader = new Utf8JsonReader(line);
            while (reader.Read())
            {
                tokens++;
            }
        }

        return tokens;
    }

    /// <summary>
    /// The shard's path: the line in an array, plain values referenced there, escaped ones unescaped
    /// into scratch (issue 15, item 4).
    /// </summary>
    [Benchmark(OperationsPerInvoke = Data.Lines)]
    public long NginxJsonParser_()
    {
        long sum = 0;
        foreach (byte[] line in _lines)
        {
            if (NginxJsonParser.TryParse(line, 0, line.Length, ref _record, out _))
            {
                sum += _record.Status;
            }
        }

        return sum;
    }

    /// <summary>The span overload, which copies every text value into scratch (what every line paid before).</summary>
    [Benchmark(OperationsPerInvoke = Data.Lines)]
    public long NginxJsonParserCopying()
    {
        long sum = 0;
        foreach (byte[] line in _lines)
        {
            if (NginxJsonParser.TryParse(line.AsSpan(), ref _record, out _))
            {
                sum += _record.Status;
            }
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Data.Lines)]
    public long JsonSerializerToClass()
    {
        long sum = 0;
        foreach (byte[] line in _lines)
        {
            sum += JsonSerializer.Deserialize<NginxLine>(line)!.status?.Length ?? 0;
        }

        return sum;
    }

    /// <summary>
    /// A DOM per line, reading the fields the aggregates need as strings (what a straightforward
    /// <see cref="JsonDocument"/> implementation does).
    /// </summary>
    [Benchmark(OperationsPerInvoke = Data.Lines)]
    public long JsonDocumentFields()
    {
        long sum = 0;
        foreach (byte[] line in _lines)
        {
            using JsonDocument document = JsonDocument.Parse(line);
            JsonElement root = document.RootElement;
            foreach (string name in s_fields)
            {
                if (root.TryGetProperty(name, out JsonElement value))
                {
                    sum += value.GetString()?.Length ?? 0;
                }
            }
        }

        return sum;
    }

    private static readonly string[] s_fields =
    [
        "time_iso8601", "status", "bytes_sent", "body_bytes_sent", "request_time", "upstream_cache_status",
        "request_method", "uri", "http_host", "remote_addr", "http_user_agent", "http_referer",
    ];

    /// <summary>What a straightforward implementation would deserialize into.</summary>
    public sealed class NginxLine
    {
#pragma warning disable IDE1006, CA1707 // JSON names as NGINX writes them
        public string? msec { get; set; }
        public string? time_iso8601 { get; set; }
        public string? status { get; set; }
        public string? bytes_sent { get; set; }
        public string? body_bytes_sent { get; set; }
        public string? request_time { get; set; }
        public string? upstream_cache_status { get; set; }
        public string? request_method { get; set; }
        public string? uri { get; set; }
        public string? http_host { get; set; }
        public string? remote_addr { get; set; }
        public string? http_user_agent { get; set; }
        public string? http_referer { get; set; }
#pragma warning restore IDE1006, CA1707
    }
}

using System.Buffers;
using System.Text;
using FastIngest.Server.Events;

namespace FastIngest.Tests.Events;

/// <summary>The /ingest body split into events however it arrives, as a PipeReader would hand it over.</summary>
public sealed class BatchReaderTests
{
    private const long Now = 1_795_399_200_000;

    private static (int Accepted, int Rejected, string Errors) Read(string body, bool ndjson, int chunk)
    {
        using var batch = new EventBatch(maxEventBytes: 4096, tenant: null, Now);
        var reader = new BatchReader(batch, ndjson);
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        byte[] pending = [];
        for (int at = 0; ; at += chunk)
        {
            bool completed = at + chunk >= bytes.Length;
            byte[] buffer = [.. pending, .. bytes.AsSpan(Math.Min(at, bytes.Length), Math.Max(0, Math.Min(chunk, bytes.Length - at)))];
            var sequence = new ReadOnlySequence<byte>(buffer);
            SequencePosition consumed = reader.Read(sequence, completed);
            pending = sequence.Slice(consumed).ToArray();
            if (completed)
            {
                reader.Finish();
                break;
            }
        }

        return (batch.Accepted, batch.Rejected, string.Join(";", batch.Errors.Select(e => $"{e.Line}:{e.Error}")));
    }

    private static string Event(int i) => $$"""{"site_id":"s","event_type":"page_view","path":"/{{i}}","note":"a, ] } [ \" {{new string('x', i % 50)}}"}""";

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(100_000)]
    public void AnArrayIsSplitIntoItsEventsHoweverTheBytesArrive(int chunk)
    {
        string body = "[\n  " + string.Join(",\n  ", Enumerable.Range(0, 200).Select(Event)) + ",\n  42, {\"site_id\":\"s\"}\n]\n";
        Assert.Equal((200, 2, "201:Invalid event: expected a JSON object;202:Missing required field: event_type"), Read(body, ndjson: false, chunk));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(13)]
    [InlineData(100_000)]
    public void NdjsonCountsLinesAndSkipsBlankOnes(int chunk)
    {
        string body = string.Join("\n", Enumerable.Range(0, 100).Select(Event)) + "\n\n  \r\n{broken\r\n" + Event(7);
        Assert.Equal((101, 1, "103:Invalid JSON"), Read(body, ndjson: true, chunk));
    }

    [Theory]
    [InlineData("[{\"site_id\":\"s\",\"event_type\":\"t\"}", "2:Invalid JSON")]
    [InlineData("[{\"site_id\":\"s\",\"event_type\":\"t\"}, {\"site_id\": ]", "2:Invalid JSON")]
    [InlineData("{\"site_id\":\"s\",\"event_type\":\"t\"}", "1:Invalid JSON")]
    [InlineData("[{\"site_id\":\"s\",\"event_type\":\"t\"}] \n {\"site_id\":\"s\"}", "2:Invalid JSON")]
    public void ABrokenArrayKeepsWhatCameBeforeAndSaysWhereItBroke(string body, string errors)
    {
        (int accepted, int rejected, string reported) = Read(body, ndjson: false, chunk: 5);
        Assert.Equal(body.StartsWith('[') ? 1 : 0, accepted);
        Assert.Equal((1, errors), (rejected, reported));
    }

    [Fact]
    public void OnlyTheFirstTenErrorsAreReportedButAllAreCounted()
    {
        string body = string.Join("\n", Enumerable.Range(0, 30).Select(_ => "{}"));
        (int accepted, int rejected, string errors) = Read(body, ndjson: true, chunk: 100_000);
        Assert.Equal((0, 30, 10), (accepted, rejected, errors.Split(';').Length));
    }
}

using System.Net;
using System.Text;
using ClickHouse.Driver;
using FastIngest.Core.ClickHouse;
using FastIngest.Core.Sinks;
using FastIngest.Core.Sinks.ClickHouse;

namespace FastIngest.Tests.Sinks.ClickHouse;

/// <summary>
/// A shard's inserts carry <c>insert_deduplication_token</c> where the server has it (issue 19): checked on
/// the HTTP requests themselves, against a listener that answers <c>version()</c> as the server would.
/// </summary>
public sealed class DeduplicationTokenTests
{
    private static async Task<List<string>> InsertOnceAsync(string version, bool shard)
    {
        int port = FreePorts.Tcp();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var requests = new List<string>();
        Task serving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                // The driver sends the statement and its settings in the query string, spaces as '+'.
                string query = Uri.UnescapeDataString(context.Request.Url!.Query.Replace('+', ' '));
                string body = await new StreamReader(context.Request.InputStream).ReadToEndAsync();
                lock (requests)
                {
                    requests.Add(query + " " + (body.StartsWith("SELECT", StringComparison.Ordinal) ? body : ""));
                }

                byte[] answer = Encoding.UTF8.GetBytes(query.Contains("version()", StringComparison.Ordinal) || body.Contains("version()", StringComparison.Ordinal) ? version + "\n" : "");
                context.Response.StatusCode = 200;
                await context.Response.OutputStream.WriteAsync(answer);
                context.Response.Close();
            }
        });

        var options = new ClickHouseOptions { Url = new Uri($"http://127.0.0.1:{port}") };
        using ClickHouseClient client = ClickHouseClients.CreateClient(options);
        var inserter = new RowBinaryInserter(client, "fastingest_local", new SinkCounters(), deduplicationTokens: shard);
        using var round = new InsertRound();
        round.Reset();
        FlushBatch batch = new();
        batch.Traffic.Add(new TrafficRow("t0"u8.ToArray(), 1_764_000_000 / 60 * 60, new TrafficCounters { Requests = 1 }));
        round.Add(batch);
        TableInsert traffic = round.Tables[TableEncoders.Traffic];
        await inserter.InsertAsync(traffic, CancellationToken.None);
        await inserter.InsertAsync(traffic, CancellationToken.None);
        listener.Stop();
        await serving;
        return [.. requests.Select(r => r.Replace(InsertLedger.QueryId(traffic.InsertId), "<id>", StringComparison.Ordinal))];
    }

    [Fact]
    public async Task AShardsInsertsIntoModernClickHouseCarryTheSameTokenOnARetry()
    {
        List<string> requests = await InsertOnceAsync("26.7.1.1", shard: true);
        string[] inserts = [.. requests.Where(r => r.Contains("INSERT INTO fastingest_local.traffic_1m_in", StringComparison.Ordinal))];
        Assert.Equal(2, inserts.Length);
        Assert.All(inserts, insert => Assert.Contains("insert_deduplication_token=<id>-traffic_1m", insert, StringComparison.Ordinal));
        Assert.All(inserts, insert => Assert.Contains("deduplicate_blocks_in_dependent_materialized_views=1", insert, StringComparison.Ordinal));
        // version() is asked once, not per insert.
        Assert.Single(requests, r => r.Contains("version()", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AShardsInsertsIntoClickHouse1816CarryNoTokenAndNoContentDeduplication()
    {
        List<string> requests = await InsertOnceAsync("18.16.1", shard: true);
        Assert.Equal(2, requests.Count(r => r.Contains("INSERT INTO", StringComparison.Ordinal)));
        Assert.DoesNotContain(requests, r => r.Contains("insert_deduplication_token", StringComparison.Ordinal));
        // Replicated tables on 18.16 would drop a rollup block equal to an earlier one: the ledger guards retries.
        Assert.All(requests.Where(r => r.Contains("INSERT INTO", StringComparison.Ordinal)), r => Assert.Contains("insert_deduplicate=0", r, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheSingleServersInsertsAreAsBeforeAndAskNoVersion()
    {
        List<string> requests = await InsertOnceAsync("26.7.1.1", shard: false);
        Assert.Equal(2, requests.Count);
        Assert.DoesNotContain(requests, r => r.Contains("insert_deduplication_token", StringComparison.Ordinal) || r.Contains("version()", StringComparison.Ordinal));
    }

    [Fact]
    public void ANewGenerationGetsANewToken()
    {
        using var round = new InsertRound();
        round.Reset();
        TableInsert table = round.Tables[TableEncoders.Pixel];
        string first = RowBinaryInserter.DeduplicationToken(table);
        table.Rekey(1);
        Assert.NotEqual(first, RowBinaryInserter.DeduplicationToken(table));
        Assert.EndsWith("-pixel_1m", first, StringComparison.Ordinal);
    }
}

using ClickHouse.Driver;
using FastIngest.Core.ClickHouse;
using FastIngest.Core.Sinks;
using FastIngest.Core.Sinks.ClickHouse;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.ClickHouse;

/// <summary>The sink's questions before a replay (what still runs, what ClickHouse has), asked of a real server.</summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class InsertLedgerTests(PrivateClickHouse clickHouse)
{
    private static FlushBatch Batch(string tenant, ulong requests)
    {
        var batch = new FlushBatch { Lines = (long)requests };
        byte[] name = System.Text.Encoding.UTF8.GetBytes(tenant);
        batch.Traffic.Add(new TrafficRow(name, 1_700_000_040, new TrafficCounters { Requests = requests }));
        batch.Statuses.Add(new StatusRow(name, 1_700_000_040, 200, requests));
        return batch;
    }

    [Fact]
    public async Task TheLedgerHasAnInsertOnceTheInserterPostedItAndNothingOfOneNeverSent()
    {
        string db = "ledger_" + Guid.NewGuid().ToString("N")[..8];
        foreach (string statement in SchemaMigrator.Statements(db))
        {
            await clickHouse.ExecuteAsync(statement);
        }

        using ClickHouseClient client = ClickHouseClients.CreateClient(new ClickHouseOptions { Url = clickHouse.HttpUri, Database = db });
        var counters = new SinkCounters();
        var inserter = new RowBinaryInserter(client, db, counters);
        var ledger = new InsertLedger(client, db);
        using var round = new InsertRound();
        round.Reset();
        round.Add(Batch("shop", 3));
        round.Add(Batch("blog", 4));
        TableInsert traffic = round.Tables[TableEncoders.Traffic];
        TableInsert status = round.Tables[TableEncoders.Status];

        Assert.Equal(0, await ledger.CountRunningAsync(round, CancellationToken.None));
        Assert.Empty(await ledger.RowsAsync(round, CancellationToken.None));

        // Only the traffic insert goes out: the status one stands for an insert that never took effect.
        await inserter.InsertAsync(traffic, CancellationToken.None);

        Assert.Equal(0, await ledger.CountRunningAsync(round, CancellationToken.None));
        Dictionary<ulong, long> rows = await ledger.RowsAsync(round, CancellationToken.None);
        Assert.Equal(2, rows[traffic.InsertId]);
        Assert.False(rows.ContainsKey(status.InsertId));
        Assert.Equal("7\n", await clickHouse.QueryAsync($"SELECT sum(requests) FROM {db}.traffic_1m FORMAT TSV"));
        Assert.Equal(
            $"{traffic.InsertId}\ttraffic_1m\t2\n",
            await clickHouse.QueryAsync($"SELECT insert_id, target, rows FROM {db}.insert_ledger FORMAT TSV"));
        await clickHouse.ExecuteAsync($"DROP DATABASE {db}");
    }
}

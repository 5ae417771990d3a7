using System.Buffers.Binary;
using FastIngest.Core.ClickHouse;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.ClickHouse;

[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class PrivateClickHouseTests(PrivateClickHouse clickHouse)
{
    [Fact]
    public async Task AnswersAndTakesRowBinaryInserts()
    {
        Assert.Matches("^[0-9]+\\.", await clickHouse.QueryAsync("SELECT version()"));
        string table = UniqueName.For("smoke");
        await clickHouse.ExecuteAsync($"CREATE TABLE default.{table} (name String, v UInt64) ENGINE = Memory");
        var body = new List<byte>();
        foreach ((string name, ulong v) in new[] { ("a", 1UL), ("bb", 20UL), ("ccc", 300UL) })
        {
            body.Add((byte)name.Length);
            body.AddRange(System.Text.Encoding.UTF8.GetBytes(name));
            byte[] number = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(number, v);
            body.AddRange(number);
        }

        await clickHouse.InsertAsync($"INSERT INTO default.{table} FORMAT RowBinary", [.. body]);
        Assert.Equal("3\t321\n", await clickHouse.QueryAsync($"SELECT count(), sum(v) FROM default.{table} FORMAT TSV"));
        await clickHouse.ExecuteAsync($"DROP TABLE default.{table}");
    }

    [Fact]
    public async Task TheSchemaAppliesTwiceOnThisServer()
    {
        string db = UniqueName.For("schema");
        for (int run = 0; run < 2; run++)
        {
            foreach (string statement in Core.Sinks.ClickHouse.SchemaMigrator.Statements(db))
            {
                await clickHouse.ExecuteAsync(statement);
            }
        }

        // Every table analysts read, its write door (_in), the door's view to it (_mv) and to the ledger.
        string[] tables = ["agents_1d", "events_1m", "ingest_errors", "paths_1h", "pixel_1m", "requests_raw", "status_1m", "traffic_1m", "users_1d", "visitors_1d", "referrers_1d"];
        // And the rollups (issue 16): X_1h and X_1d beside each minute table, paths_1d beside paths_1h,
        // each with its own view on the write door.
        string[] rollups = ["events_1m", "pixel_1m", "status_1m", "traffic_1m"];
        string[] rollupNames = [.. rollups.SelectMany(t => new[] { t[..^3] + "_1h", t[..^3] + "_1d", t + "_in_mv_1h", t + "_in_mv_1d" }), "paths_1d", "paths_1h_in_mv_1d"];
        string expected = string.Concat(tables.SelectMany(t => new[] { t, t + "_in", t + "_in_ledger", t + "_in_mv" }).Concat(rollupNames).Append("insert_ledger").Order(StringComparer.Ordinal).Select(n => n + "\n"));
        Assert.Equal(expected,
            await clickHouse.QueryAsync($"SELECT name FROM system.tables WHERE database = '{db}' ORDER BY name FORMAT TSV"));
    }

    [Fact]
    public async Task QuotedStringsComeBackFromTheServerExactlyAsTheyWere()
    {
        string[] values =
        [
            "", "plain", "it's", "back\\slash", "\\'", "'; DROP TABLE x; --", "x'); DROP TABLE fastingest.events_1m; --",
            "new\nline\rcr\ttab", "nul\0byte", "\u007f del", "caf\u00e9 \u4e2d \U0001F600", "{a:1}", "\\x41", "?", "$1",
        ];
        foreach (string value in values)
        {
            string hex = Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(value));
            string sql = $"SELECT {ClickHouseSql.Quote(value)} = unhex('{hex}'), hex({ClickHouseSql.Quote(value)}) FORMAT TSV";
            Assert.Equal($"1\t{hex}\n", await clickHouse.QueryAsync(sql));
        }
    }
}

using System.ComponentModel.DataAnnotations;
using FastIngest.Core.ClickHouse;

namespace FastIngest.Tests.ClickHouse;

public sealed class ClickHouseOptionsTests
{
    private static string[] Errors(ClickHouseOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return [.. results.Select(r => r.ErrorMessage!)];
    }

    [Fact]
    public void NoShardsIsTheSingleServerAndValid()
    {
        var options = new ClickHouseOptions();
        Assert.Empty(Errors(options));
        Assert.Equal("fastingest_local", options.LocalDatabase);
        Assert.Equal("fastingest", options.Cluster);
    }

    [Fact]
    public void AShardWithoutReplicasNamesItsKey() =>
        Assert.Contains(
            "FastIngest:ClickHouse:Shards:1 has no replicas: give at least FastIngest:ClickHouse:Shards:1:Replicas:0 (e.g. http://10.0.0.1:8123)",
            Errors(new ClickHouseOptions { Shards = [new() { Replicas = [new Uri("http://a:8123")] }, new()] }));

    [Fact]
    public void AReplicaThatIsNoHttpUrlNamesItsKey() =>
        Assert.Contains(
            "FastIngest:ClickHouse:Shards:0:Replicas:1 'ch2:8123' is not an absolute http:// or https:// URL (e.g. http://10.0.0.1:8123)",
            Errors(new ClickHouseOptions { Shards = [new() { Replicas = [new Uri("http://a:8123"), new Uri("ch2:8123", UriKind.RelativeOrAbsolute)] }] }));

    [Fact]
    public void TheLocalDatabaseMustDifferFromTheReadDatabase() =>
        Assert.Contains(
            "FastIngest:ClickHouse:LocalDatabase 'fastingest' must differ from FastIngest:ClickHouse:Database when FastIngest:ClickHouse:Shards is set",
            Errors(new ClickHouseOptions { LocalDatabase = "fastingest", Shards = [new() { Replicas = [new Uri("http://a:8123")] }] }));

    [Fact]
    public void AShardsOptionsNameItsFirstReplicaAndTheLocalDatabase()
    {
        var options = new ClickHouseOptions { Database = "analytics", Shards = [new() { Replicas = [new Uri("http://b:8123"), new Uri("http://c:8123")] }] };
        ClickHouseOptions shard = options.ForShard(options.Shards[0]);
        Assert.Equal(("http://b:8123/", "analytics_local", "analytics_local"), (shard.Url.ToString(), shard.Database, shard.LocalDatabase));
        Assert.Empty(shard.Shards);
        Assert.Equal("analytics", options.Database);
    }
}

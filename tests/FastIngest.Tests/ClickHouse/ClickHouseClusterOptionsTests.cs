using System.ComponentModel.DataAnnotations;
using FastIngest.Core.ClickHouse;
using Microsoft.Extensions.Configuration;

namespace FastIngest.Tests.ClickHouse;

/// <summary>The cluster settings of <see cref="ClickHouseOptions"/> (issue 19): binding and the start's validation.</summary>
public sealed class ClickHouseClusterOptionsTests
{
    [Fact]
    public void ShardsBindFromTheDesignsKeysAndTheLocalDatabaseFollowsTheDatabase()
    {
        ClickHouseOptions options = Bind(new()
        {
            ["FastIngest:ClickHouse:Database"] = "edge",
            ["FastIngest:ClickHouse:Shards:0:Replicas:0"] = "http://10.0.0.1:8123",
            ["FastIngest:ClickHouse:Shards:0:Replicas:1"] = "http://10.0.0.2:8123",
            ["FastIngest:ClickHouse:Shards:1:Replicas:0"] = "https://10.0.0.3:8443",
        });

        Assert.Equal(
            ["http://10.0.0.1:8123/ http://10.0.0.2:8123/", "https://10.0.0.3:8443/"],
            options.Shards.Select(s => string.Join(' ', s.Replicas)));
        Assert.Equal("edge_local", options.LocalDatabase);
        Assert.Equal("fastingest", options.Cluster);
        Assert.False(options.OnCluster);
        Assert.Empty(Validate(options));
    }

    [Fact]
    public void WithoutShardsNothingChanges()
    {
        ClickHouseOptions options = Bind([]);
        Assert.Empty(options.Shards);
        Assert.Equal("fastingest_local", options.LocalDatabase);
        Assert.Empty(Validate(options));
    }

    [Theory]
    [InlineData("FastIngest:ClickHouse:Shards:0:Replicas:0", "10.0.0.1:8123", "FastIngest:ClickHouse:Shards:0:Replicas:0 '10.0.0.1:8123' is not an absolute http:// or https:// URL")]
    [InlineData("FastIngest:ClickHouse:Shards:1:Replicas:0", "ftp://h/", "FastIngest:ClickHouse:Shards:1:Replicas:0 'ftp://h/' is not an absolute http:// or https:// URL")]
    [InlineData("FastIngest:ClickHouse:LocalDatabase", "fastingest", "FastIngest:ClickHouse:LocalDatabase 'fastingest' must differ from FastIngest:ClickHouse:Database")]
    [InlineData("FastIngest:ClickHouse:LocalDatabase", "a-b", "The field LocalDatabase must match the regular expression")]
    [InlineData("FastIngest:ClickHouse:Cluster", "x y", "The field Cluster must match the regular expression")]
    public void ABadClusterSettingFailsTheStartNamingIt(string key, string value, string message)
    {
        ClickHouseOptions options = Bind(new()
        {
            ["FastIngest:ClickHouse:Shards:0:Replicas:0"] = "http://10.0.0.1:8123",
            ["FastIngest:ClickHouse:Shards:1:Replicas:0"] = "http://10.0.0.2:8123",
            [key] = value,
        });
        Assert.Contains(Validate(options), m => m.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public void AShardWithoutReplicasOrOnClusterWithoutShardsFailTheStart()
    {
        var options = new ClickHouseOptions { OnCluster = true };
        Assert.Contains(Validate(options), m => m.StartsWith("FastIngest:ClickHouse:OnCluster needs FastIngest:ClickHouse:Shards", StringComparison.Ordinal));

        options.Shards.Add(new ClickHouseShardOptions());
        Assert.Contains(Validate(options), m => m.StartsWith("FastIngest:ClickHouse:Shards:0 has no replica", StringComparison.Ordinal));
    }

    private static ClickHouseOptions Bind(Dictionary<string, string?> values)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var options = new ClickHouseOptions();
        configuration.GetSection(ClickHouseOptions.SectionName).Bind(options);
        return options;
    }

    private static List<string> Validate(ClickHouseOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return [.. results.Select(r => r.ErrorMessage ?? "")];
    }
}

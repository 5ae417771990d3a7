using System.ComponentModel.DataAnnotations;
using FastIngest.Core.Aggregation;

namespace FastIngest.Tests.Aggregation;

public sealed class ReferrerOptionsTests
{
    private static List<string> Errors(ReferrerOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return [.. results.Select(r => r.ErrorMessage ?? "")];
    }

    [Fact]
    public void OwnHostsWithPortsWwwAndIdnsAreAccepted()
    {
        var options = new ReferrerOptions();
        options.OwnHosts["shop"] = ["shop.example", "www.shop.example:8443", "bücher.example", "[2001:db8::1]", "shop-cdn.example."];
        Assert.Empty(Errors(options));
    }

    [Theory]
    [InlineData("shop", "https://shop.example/", "is not a host name")]
    [InlineData("shop", "shop..example", "is not a host name")]
    [InlineData("shop", "shop example", "is not a host name")]
    [InlineData("shop", "", "is not a host name")]
    [InlineData("bad tenant", "shop.example", "is not a valid tenant name")]
    public void ABadHostOrTenantIsRefusedByKey(string tenant, string host, string expected)
    {
        var options = new ReferrerOptions();
        options.OwnHosts[tenant] = [host];
        string error = Assert.Single(Errors(options));
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.StartsWith($"FastIngest:Referrers:OwnHosts:{tenant}", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TooManyOrTooLongHostsAreRefused()
    {
        var options = new ReferrerOptions();
        options.OwnHosts["shop"] = [.. Enumerable.Range(0, ReferrerOptions.MaxOwnHostsPerTenant + 1).Select(i => $"h{i}.example")];
        options.OwnHosts["blog"] = [new string('a', 250) + ".example"];
        List<string> errors = Errors(options);
        Assert.Contains(errors, e => e.Contains("at most 32", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("OwnHosts:blog:0", StringComparison.Ordinal));
    }

    [Fact]
    public void ABudgetOutOfRangeIsRefused()
    {
        Assert.NotEmpty(Errors(new ReferrerOptions { MaxSourcesPerTenant = 0 }));
        Assert.NotEmpty(Errors(new ReferrerOptions { MaxSourcesPerShard = 2 }));
    }
}

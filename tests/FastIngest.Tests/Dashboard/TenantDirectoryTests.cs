using FastIngest.Server.Dashboard;

namespace FastIngest.Tests.Dashboard;

public sealed class TenantDirectoryTests
{
    private static readonly string[] s_sorted = ["a", "blog", "blog-2", "blog.x", "shop", "shop_eu", "t1", "t10", "t2"];

    [Theory]
    [InlineData(null, 200, "a,blog,blog-2,blog.x,shop,shop_eu,t1,t10,t2", false)]
    [InlineData("blog", 200, "blog,blog-2,blog.x", false)]
    [InlineData("blog", 2, "blog,blog-2", true)]
    [InlineData("shop", 2, "shop,shop_eu", false)]
    [InlineData("t1", 200, "t1,t10", false)]
    [InlineData("c", 200, "", false)]
    [InlineData("zzz", 200, "", false)]
    [InlineData(null, 1, "a", true)]
    public void APrefixAndALimitCutTheSortedList(string? prefix, int limit, string expected, bool truncated)
    {
        (IReadOnlyList<string> tenants, bool cut) = TenantDirectory.Filter(s_sorted, prefix, limit);
        Assert.Equal(expected, string.Join(',', tenants));
        Assert.Equal(truncated, cut);
    }
}

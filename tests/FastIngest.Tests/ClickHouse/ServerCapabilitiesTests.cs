using FastIngest.Core.ClickHouse;

namespace FastIngest.Tests.ClickHouse;

public sealed class ServerCapabilitiesTests
{
    [Theory]
    [InlineData("18.16.1\n", false)]
    [InlineData("19.5.4.22", false)]
    [InlineData("19.6.2.11", true)]
    [InlineData("19.10.1", true)]
    [InlineData("24.8.4.13", true)]
    [InlineData("26.7.2", true)]
    [InlineData("25.3.1.2703-lts", true)]
    public void TtlCameWithNineteenSix(string version, bool hasTtl) =>
        Assert.Equal(hasTtl, ServerCapabilities.Parse(version).HasTtl);

    [Fact]
    public void KeepsTheVersionItWasGiven() =>
        Assert.Equal(new Version(18, 16, 1), ServerCapabilities.Parse("18.16.1").Version);

    [Theory]
    [InlineData("")]
    [InlineData("Code: 62. DB::Exception")]
    [InlineData("19")]
    public void RefusesAnAnswerThatIsNoVersion(string version) =>
        Assert.Throws<FormatException>(() => ServerCapabilities.Parse(version));
}

using System.Net;
using System.Net.Sockets;
using FastIngest.Server.Syslog;

namespace FastIngest.Tests.Syslog;

public sealed class SourceFenceTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.255.1.2", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("10.1.2.3/8", "10.9.9.9", true)] // host bits past the prefix are ignored
    [InlineData("192.168.4.0/22", "192.168.7.255", true)]
    [InlineData("192.168.4.0/22", "192.168.8.0", false)]
    [InlineData("192.0.2.7", "192.0.2.7", true)] // a bare address is one host
    [InlineData("192.0.2.7", "192.0.2.8", false)]
    [InlineData("0.0.0.0/0", "203.0.113.9", true)]
    [InlineData("0.0.0.0/0", "2001:db8::1", false)] // every IPv4 address, but no IPv6 one
    [InlineData("2001:db8::/32", "2001:db8:ffff::1", true)]
    [InlineData("2001:db8::/32", "2001:db9::1", false)]
    [InlineData("::/0", "2001:db8::1", true)]
    [InlineData("10.0.0.0/8", "::ffff:10.1.2.3", true)] // an IPv4 sender on a dual-stack socket
    [InlineData("10.0.0.0/8", "::ffff:11.1.2.3", false)]
    [InlineData("::ffff:10.0.0.0/104", "10.1.2.3", true)]
    [InlineData("::1/128", "127.0.0.1", false)]
    public void AdmitsExactlyTheAddressesOfItsNetworks(string network, string address, bool admitted)
    {
        var fence = new SourceFence([network]);
        IPAddress ip = IPAddress.Parse(address);

        Assert.Equal(admitted, fence.Admits(ip));
        Assert.Equal(admitted, fence.Admits(new IPEndPoint(ip, 514).Serialize()));
    }

    [Fact]
    public void ReadsTheRawSocketAddressOfEitherFamily()
    {
        var fence = new SourceFence(["198.51.100.0/24", "2001:db8::/32"]);

        Assert.True(fence.Admits(new IPEndPoint(IPAddress.Parse("198.51.100.200"), 1).Serialize()));
        Assert.True(fence.Admits(new IPEndPoint(IPAddress.Parse("2001:db8::7"), 1).Serialize()));
        Assert.True(fence.Admits(new IPEndPoint(IPAddress.Parse("::ffff:198.51.100.1"), 1).Serialize()));
        Assert.False(fence.Admits(new IPEndPoint(IPAddress.Parse("198.51.101.1"), 1).Serialize()));
        Assert.False(fence.Admits(new SocketAddress(AddressFamily.Unix)));
    }

    [Fact]
    public void AdmitsEveryoneWithoutNetworks()
    {
        var fence = new SourceFence([]);

        Assert.False(fence.IsFenced);
        Assert.True(fence.Admits(IPAddress.Parse("203.0.113.1")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("10.0.0.0/33")]
    [InlineData("2001:db8::/129")]
    [InlineData("10.0.0.0/")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("example.com")]
    public void RefusesWhatIsNotANetwork(string text)
    {
        Assert.False(SourceFence.TryParse(text, new byte[16], out _));
        Assert.Throws<ArgumentException>(() => new SourceFence([text]));
    }

    [Fact]
    public void OptionsNameAnAllowedSourceThatDoesNotParse()
    {
        var options = new SyslogOptions { AllowedSources = ["10.0.0.0/8", "10.0.0.0/40"] };

        var results = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();

        Assert.Contains("AllowedSources:1", Assert.Single(results).ErrorMessage, StringComparison.Ordinal);
    }
}

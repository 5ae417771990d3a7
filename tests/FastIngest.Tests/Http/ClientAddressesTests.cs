using System.Net;
using FastIngest.Server.Http;
using Microsoft.Extensions.Primitives;

namespace FastIngest.Tests.Http;

public sealed class ClientAddressesTests
{
    private static readonly IPNetwork[] s_loopbackProxy = ClientAddresses.ParseNetworks(["127.0.0.1"]);
    private static readonly IPNetwork[] s_proxies = ClientAddresses.ParseNetworks(["127.0.0.1", "10.0.0.0/8", "2001:db8:1::/48"]);

    private static string Resolve(string peer, StringValues forwardedFor, IPNetwork[] trusted) =>
        ClientAddresses.Resolve(IPAddress.Parse(peer), forwardedFor, trusted).ToString();

    [Fact]
    public void WithoutKnownProxiesForwardedForIsIgnored() =>
        Assert.Equal("127.0.0.1", Resolve("127.0.0.1", "203.0.113.7", []));

    [Fact]
    public void AnUntrustedPeersForwardedForIsIgnored() =>
        Assert.Equal("198.51.100.9", Resolve("198.51.100.9", "203.0.113.7", s_proxies));

    [Fact]
    public void ATrustedPeerGivesTheAddressItSaw() =>
        Assert.Equal("203.0.113.7", Resolve("127.0.0.1", "203.0.113.7", s_loopbackProxy));

    [Fact]
    public void TheWalkStopsAtTheFirstUntrustedAddressFromTheRight() =>
        // The client wrote 1.1.1.1 itself; 203.0.113.7 is what the trusted 10.1.2.3 saw.
        Assert.Equal("203.0.113.7", Resolve("127.0.0.1", "1.1.1.1, 203.0.113.7, 10.1.2.3", s_proxies));

    [Fact]
    public void SeveralHeaderLinesAreOneListReadFromTheLastLine() =>
        Assert.Equal("203.0.113.7", Resolve("127.0.0.1", new StringValues(["1.1.1.1", "203.0.113.7,10.0.0.5", "10.9.9.9"]), s_proxies));

    [Fact]
    public void WhenEveryHopIsTrustedTheLeftmostIsTheClient() =>
        Assert.Equal("10.0.0.1", Resolve("127.0.0.1", "10.0.0.1, 10.0.0.2", s_proxies));

    [Theory]
    [InlineData("garbage")]
    [InlineData("unknown")]
    [InlineData("300.1.1.1")]
    [InlineData("_hidden")]
    [InlineData("1.2.3.4.5")]
    public void GarbageStopsAtTheProxyThatPassedItOn(string entry)
    {
        Assert.Equal("127.0.0.1", Resolve("127.0.0.1", entry, s_loopbackProxy));
        Assert.Equal("10.0.0.2", Resolve("127.0.0.1", "203.0.113.7, " + entry + ", 10.0.0.2", s_proxies));
    }

    [Fact]
    public void EmptyEntriesAndAnEmptyHeaderChangeNothing()
    {
        Assert.Equal("127.0.0.1", Resolve("127.0.0.1", StringValues.Empty, s_loopbackProxy));
        Assert.Equal("127.0.0.1", Resolve("127.0.0.1", "", s_loopbackProxy));
        Assert.Equal("203.0.113.7", Resolve("127.0.0.1", " , 203.0.113.7 ,, ", s_loopbackProxy));
    }

    [Theory]
    [InlineData("203.0.113.7:5678", "203.0.113.7")]
    [InlineData("2001:db8::7", "2001:db8::7")]
    [InlineData("[2001:db8::7]:443", "2001:db8::7")]
    [InlineData("[2001:db8::7]", "2001:db8::7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("fe80::1%eth0", "fe80::1")]
    public void AddressesAreReadAsProxiesWriteThem(string entry, string expected) =>
        Assert.Equal(expected, Resolve("127.0.0.1", entry, s_loopbackProxy));

    [Fact]
    public void AnIpv6ProxyBlockIsTrusted() =>
        Assert.Equal("203.0.113.7", Resolve("2001:db8:1:2::1", "203.0.113.7", s_proxies));

    [Fact]
    public void AnIpv4MappedPeerIsTheIpv4Address() =>
        Assert.Equal("203.0.113.7", Resolve("::ffff:127.0.0.1", "203.0.113.7", s_loopbackProxy));

    [Fact]
    public void AnIpv6ClientIsPartitionedByItsSlash64()
    {
        Assert.Equal(
            ClientAddresses.PartitionOf(IPAddress.Parse("2001:db8:aa:bb:1::1")),
            ClientAddresses.PartitionOf(IPAddress.Parse("2001:db8:aa:bb:ffff::2")));
        Assert.NotEqual(
            ClientAddresses.PartitionOf(IPAddress.Parse("2001:db8:aa:bb::1")),
            ClientAddresses.PartitionOf(IPAddress.Parse("2001:db8:aa:bc::1")));
        Assert.Equal("ip:203.0.113.7", ClientAddresses.PartitionOf(IPAddress.Parse("203.0.113.7")));
    }

    [Theory]
    [InlineData("10.0.0.0/8", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("2001:db8::/32", true)]
    [InlineData("10.0.0.1/8", true)]
    [InlineData("10.0.0.0/33", false)]
    [InlineData("proxy.local", false)]
    [InlineData("", false)]
    public void KnownProxiesAcceptAddressesAndCidrBlocksOnly(string entry, bool valid) =>
        Assert.Equal(valid, ClientAddresses.TryParseNetwork(entry, out _));
}

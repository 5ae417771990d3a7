using System.Text;
using FastIngest.Core.Parsing;

namespace FastIngest.Tests.Parsing;

public sealed class ReferrerHostTests
{
    [Theory]
    [InlineData("https://www.Example.COM/search?q=secret&email=a@b.c#top", "www.example.com")]
    [InlineData("https://user:password@news.example.org:8443/story?id=1", "news.example.org")]
    [InlineData("http://example.net", "example.net")]
    [InlineData("http://example.net?x=1", "example.net")]
    [InlineData("http://[2001:db8::1]:8080/a", "[2001:db8::1]")]
    [InlineData("android-app://com.example.app/", "com.example.app")]
    [InlineData("/relative/path?q=1", "")]
    [InlineData("-", "")]
    [InlineData("", "")]
    [InlineData("https:///nohost", "")]
    [InlineData("https://user@/x", "")]
    [InlineData("not a url://host.example/", "")]
    public void KeepsOnlyTheLowercasedHost(string referer, string expected)
    {
        var host = new byte[253];
        int length = ReferrerHost.Extract(Encoding.UTF8.GetBytes(referer), host);

        Assert.Equal(expected, Encoding.UTF8.GetString(host, 0, length));
    }

    [Fact]
    public void AHostLongerThanTheBufferIsDroppedNotCut()
    {
        var host = new byte[253];
        string referer = "https://" + new string('a', 300) + ".example/";

        Assert.Equal(0, ReferrerHost.Extract(Encoding.UTF8.GetBytes(referer), host));
    }

    [Fact]
    public void AnyBytesGiveAtMostAHostWithoutUserInfoPathQueryOrPort()
    {
        var random = new Random(16);
        byte[] alphabet = "hts:/@?#[]:.%aZ09-_ \\é"u8.ToArray();
        var host = new byte[64];
        for (int i = 0; i < 200_000; i++)
        {
            var referer = new byte[random.Next(0, 48)];
            for (int j = 0; j < referer.Length; j++)
            {
                referer[j] = random.Next(8) == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)];
            }

            int length = ReferrerHost.Extract(referer, host);

            Assert.InRange(length, 0, host.Length);
            ReadOnlySpan<byte> kept = host.AsSpan(0, length);
            Assert.True(kept.IndexOfAny("/?#@"u8) < 0, Encoding.Latin1.GetString(referer));
            Assert.True(kept.IsEmpty || kept[0] == '[' || kept.IndexOf((byte)':') < 0, Encoding.Latin1.GetString(referer));
            Assert.True(kept.IndexOfAnyInRange((byte)'A', (byte)'Z') < 0, Encoding.Latin1.GetString(referer));
        }
    }
}

using FastIngest.Core.Parsing;

namespace FastIngest.Tests.Parsing;

public sealed class PixelHitTests
{
    [Fact]
    public void AHitComesBackWithItsHostAndReferrer()
    {
        var message = new byte[PixelHit.MaxEncodedLength];
        int length = new PixelHit
        {
            TimestampMs = 1_795_390_925_000,
            CountVisitor = true,
            Key = "home"u8,
            Address = "192.0.2.1"u8,
            UserAgent = "curl/8"u8,
            Host = "pixel.example:8081"u8,
            Referer = "https://shop.example/?utm_source=x"u8,
        }.Encode(message);

        Assert.True(PixelHit.TryDecode(message.AsSpan(0, length), out PixelHit hit));
        Assert.Equal("home"u8, hit.Key);
        Assert.Equal("192.0.2.1"u8, hit.Address);
        Assert.Equal("curl/8"u8, hit.UserAgent);
        Assert.Equal("pixel.example:8081"u8, hit.Host);
        Assert.Equal("https://shop.example/?utm_source=x"u8, hit.Referer);
    }

    [Fact]
    public void ALongReferrerIsCutAndAnOverlongHostDropped()
    {
        byte[] referer = [.. "https://shop.example/?"u8, .. Enumerable.Repeat((byte)'a', 5000)];
        byte[] host = [.. Enumerable.Repeat((byte)'h', PixelHit.MaxHostBytes + 1)];
        var message = new byte[PixelHit.MaxEncodedLength];
        int length = new PixelHit { Key = "k"u8, UserAgent = new byte[2000], Host = host, Referer = referer }.Encode(message);

        Assert.True(length <= PixelHit.MaxEncodedLength);
        Assert.True(PixelHit.TryDecode(message.AsSpan(0, length), out PixelHit hit));
        Assert.Equal(referer.AsSpan(0, PixelHit.MaxRefererBytes), hit.Referer);
        Assert.True(hit.Host.IsEmpty);
        Assert.Equal(PixelHit.MaxUserAgentBytes, hit.UserAgent.Length);
    }

    [Fact]
    public void EveryTruncatedPrefixIsRefusedOrDecodesWithinItself()
    {
        var message = new byte[PixelHit.MaxEncodedLength];
        int length = new PixelHit { Key = "k"u8, Address = "192.0.2.1"u8, Host = "h.example"u8, Referer = "https://r.example/"u8, UserAgent = "ua"u8 }.Encode(message);
        for (int i = 0; i < length - 2; i++)
        {
            // Short of the agent, the lengths in the header run past the message: refused, never out of range.
            Assert.False(PixelHit.TryDecode(message.AsSpan(0, i), out _));
        }
    }
}

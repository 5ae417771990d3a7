using FastIngest.Core.Internal;

namespace FastIngest.Tests.Internal;

public sealed class SipHashTests
{
    private static readonly byte[] s_key = [.. Enumerable.Range(0, 16).Select(i => (byte)i)];

    /// <summary>The reference vectors of SipHash-2-4 (key 00..0f, message 00..n-1), from the paper and its vectors.h.</summary>
    [Theory]
    [InlineData(0, 0x726fdb47dd0e0e31UL)]
    [InlineData(1, 0x74f839c593dc67fdUL)]
    [InlineData(8, 0x93f5f5799a932462UL)]
    [InlineData(15, 0xa129ca6149be45e5UL)]
    public void MatchesTheReferenceVectors(int length, ulong expected)
    {
        byte[] message = [.. Enumerable.Range(0, length).Select(i => (byte)i)];

        Assert.Equal(expected, new SipHash(s_key).Hash(message));
    }

    [Fact]
    public void HashingAllocatesNothing()
    {
        var hash = new SipHash(s_key);
        byte[] message = new byte[600];
        hash.Hash(message);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            hash.Hash(message.AsSpan(0, i % 600));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

using FastIngest.Core.Internal;
using FastIngest.Core.Sinks.ClickHouse;

namespace FastIngest.Tests.Sinks.ClickHouse;

public sealed class RowBinaryWriterTests
{
    [Fact]
    public void WritesTheLayoutClickHouseReads()
    {
        using var buffer = new PooledBufferWriter(16);
        var writer = new RowBinaryWriter(buffer);
        writer.String(new string('a', 200));       // LEB128 200 = c8 01
        writer.DateTime(0x01020304);
        writer.UInt16(0x0506);
        writer.UInt64(0x0102030405060708);
        writer.UInt8(9);

        byte[] bytes = buffer.WrittenSpan.ToArray();
        Assert.Equal(2 + 200 + 4 + 2 + 8 + 1, bytes.Length);
        Assert.Equal(new byte[] { 0xc8, 0x01, (byte)'a' }, bytes[..3]);
        Assert.Equal(new byte[] { 4, 3, 2, 1, 6, 5, 8, 7, 6, 5, 4, 3, 2, 1, 9 }, bytes[202..]);
    }

    [Theory]
    [InlineData(0UL, new byte[] { 0 })]
    [InlineData(127UL, new byte[] { 0x7f })]
    [InlineData(128UL, new byte[] { 0x80, 0x01 })]
    [InlineData(16384UL, new byte[] { 0x80, 0x80, 0x01 })]
    public void EncodesLengthsAsLeb128(ulong value, byte[] expected)
    {
        using var buffer = new PooledBufferWriter(1);
        new RowBinaryWriter(buffer).VarUInt(value);
        Assert.Equal(expected, buffer.WrittenSpan.ToArray());
    }
}

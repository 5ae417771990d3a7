using System.Buffers.Binary;
using System.Text;
using FastIngest.Core.Internal;

namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// Appends values in ClickHouse's RowBinary layout (little-endian fixed widths; String = LEB128 length +
/// bytes; DateTime = UInt32 Unix seconds). The layout is the same on 18.16 and modern servers.
/// </summary>
internal readonly struct RowBinaryWriter(PooledBufferWriter output)
{
    public void UInt8(byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    public void UInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(output.GetSpan(2), value);
        output.Advance(2);
    }

    public void UInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(output.GetSpan(4), value);
        output.Advance(4);
    }

    public void UInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(output.GetSpan(8), value);
        output.Advance(8);
    }

    public void DateTime(uint unixSeconds) => UInt32(unixSeconds);

    /// <summary>A <c>Date</c>: days since 1970-01-01.</summary>
    public void Date(ushort days) => UInt16(days);

    public void String(ReadOnlySpan<byte> utf8)
    {
        VarUInt((ulong)utf8.Length);
        output.Write(utf8);
    }

    public void String(string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        VarUInt((ulong)length);
        Span<byte> span = output.GetSpan(length);
        Encoding.UTF8.GetBytes(value, span);
        output.Advance(length);
    }

    public void VarUInt(ulong value)
    {
        Span<byte> span = output.GetSpan(10);
        int i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        output.Advance(i);
    }
}

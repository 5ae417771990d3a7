using System.Buffers.Binary;

namespace FastIngest.Core.Parsing.Events;

/// <summary>
/// An accepted analytics event as it travels in an ingest batch (<see cref="MessageKind.Event"/>),
/// already validated by the HTTP handler, so the shard only counts it.
/// </summary>
/// <remarks>Layout: time in Unix ms (8 bytes LE), event type length (1), path length (2 LE), then event type, path, user id.</remarks>
internal readonly ref struct EventMessage
{
    public const int MaxEncodedLength = HeaderLength + EventJsonParser.MaxEventTypeBytes + EventJsonParser.MaxPathBytes + EventJsonParser.MaxUserIdBytes;

    private const int HeaderLength = 11;

    public long TimestampMs { get; init; }

    public ReadOnlySpan<byte> EventType { get; init; }

    public ReadOnlySpan<byte> Path { get; init; }

    /// <summary>Empty when the event named no user.</summary>
    public ReadOnlySpan<byte> UserId { get; init; }

    public int Encode(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64LittleEndian(destination, TimestampMs);
        destination[8] = (byte)EventType.Length;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[9..], (ushort)Path.Length);
        int at = HeaderLength;
        EventType.CopyTo(destination[at..]);
        at += EventType.Length;
        Path.CopyTo(destination[at..]);
        at += Path.Length;
        UserId.CopyTo(destination[at..]);
        return at + UserId.Length;
    }

    public static bool TryDecode(ReadOnlySpan<byte> message, out EventMessage decoded)
    {
        decoded = default;
        if (message.Length < HeaderLength)
        {
            return false;
        }

        int typeEnd = HeaderLength + message[8];
        int pathEnd = typeEnd + BinaryPrimitives.ReadUInt16LittleEndian(message[9..]);
        if (pathEnd > message.Length)
        {
            return false;
        }

        decoded = new EventMessage
        {
            TimestampMs = BinaryPrimitives.ReadInt64LittleEndian(message),
            EventType = message[HeaderLength..typeEnd],
            Path = message[typeEnd..pathEnd],
            UserId = message[pathEnd..],
        };
        return true;
    }
}

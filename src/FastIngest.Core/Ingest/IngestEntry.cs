using FastIngest.Core.Parsing;

namespace FastIngest.Core.Ingest;

/// <summary>One message inside an <see cref="IngestBatch"/>: offsets into the batch buffer, no copies.</summary>
internal struct IngestEntry
{
    public MessageKind Kind;
    public RejectReason Reject;
    /// <summary>
    /// For <see cref="MessageKind.CustomLog"/>: the index of the operator's format the body is in
    /// (<see cref="Parsing.Formats.LogFormats"/>). A byte in what was padding before <see cref="TenantHash"/>:
    /// the source knows the format (its tag's or its file's), so it travels with the message and the
    /// shard looks nothing up per line.
    /// </summary>
    public byte Format;
    public ulong TenantHash;
    public int TenantStart;
    public int TenantLength;
    public int BodyStart;
    public int BodyLength;
    /// <summary>Unix seconds when the message arrived; stamps rejects, never the request's minute.</summary>
    public uint ArrivedAt;
    /// <summary>The client's <see cref="SenderKey"/>; <see cref="SenderKey.None"/> when there is none (file, import).</summary>
    public ulong Sender;
}

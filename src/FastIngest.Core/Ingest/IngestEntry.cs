using FastIngest.Core.Parsing;

namespace FastIngest.Core.Ingest;

/// <summary>One message inside an <see cref="IngestBatch"/>: offsets into the batch buffer, no copies.</summary>
internal struct IngestEntry
{
    public MessageKind Kind;
    public RejectReason Reject;
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

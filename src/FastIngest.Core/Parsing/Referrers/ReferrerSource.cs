namespace FastIngest.Core.Parsing.Referrers;

/// <summary>
/// What <see cref="ReferrerClassifier"/> made of one referrer: its group, the length of the host it wrote
/// into the caller's buffer, and the listed source's name (an interned, shared string: nothing allocated).
/// </summary>
internal readonly struct ReferrerSource(ReferrerGroup group, int hostLength, ReferrerName name)
{
    /// <summary>The source group.</summary>
    public ReferrerGroup Group { get; } = group;

    /// <summary>Bytes of the lowercased host, without <c>www.</c>, written to the caller's buffer; 0 for none.</summary>
    public int HostLength { get; } = hostLength;

    /// <summary>The name from the list (<c>Google</c>, <c>X</c>), or <see cref="ReferrerName.None"/>.</summary>
    public ReferrerName Name { get; } = name;
}

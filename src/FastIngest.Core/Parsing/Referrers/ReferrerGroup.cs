namespace FastIngest.Core.Parsing.Referrers;

/// <summary>
/// Where a visit came from, coarsely (issue 18, item 1). The values are stored as a byte by the
/// aggregates that will use them, so they never change meaning; add new ones at the end.
/// </summary>
internal enum ReferrerGroup : byte
{
    /// <summary>No referrer, <c>-</c>, an empty one, or one with no host in it.</summary>
    Direct = 0,

    /// <summary>A host that is on no list and not the tenant's own.</summary>
    Other = 1,

    /// <summary>The tenant's own hosts: the request's Host or a configured one, or a subdomain of either.</summary>
    Internal = 2,

    /// <summary>A search engine in <c>sources.txt</c>.</summary>
    Search = 3,

    /// <summary>A social network, forum or messenger in <c>sources.txt</c>.</summary>
    Social = 4,

    /// <summary>A webmail host or mail app in <c>sources.txt</c>.</summary>
    Email = 5,
}

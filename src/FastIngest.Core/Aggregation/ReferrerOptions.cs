using System.ComponentModel.DataAnnotations;
using System.Text;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Referrers;

namespace FastIngest.Core.Aggregation;

/// <summary>
/// Configuration section <c>FastIngest:Referrers</c>: where visits come from, <c>referrers_1d</c> (issue 18,
/// item 1). Each tenant's own hosts, and the bounds on the hosts and tagged sources a sender may make a
/// shard hold: both are text the sender chooses (docs/referrers.md).
/// </summary>
public sealed class ReferrerOptions : IValidatableObject
{
    public const string SectionName = "FastIngest:Referrers";

    /// <summary>Hosts one tenant may list: a site's own domains, not a blocklist.</summary>
    public const int MaxOwnHostsPerTenant = 32;

    /// <summary>Tenants that may list own hosts: configured ones, like every per-tenant list.</summary>
    public const int MaxTenantsWithOwnHosts = 10_000;

    /// <summary>
    /// Per tenant, its own hosts (<c>FastIngest:Referrers:OwnHosts:shop:0=shop.example</c>): a referrer from one
    /// of them, or a subdomain of one, is <c>internal</c>. Without an entry only the request's own
    /// <c>Host</c> (and its subdomains) is internal. Ports and a leading <c>www.</c> are ignored.
    /// </summary>
    public Dictionary<string, List<string>> OwnHosts { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Distinct referring hosts and tagged sources a tenant names per flush interval and shard; past it
    /// its referrers count under the host <c>(other)</c> with no tagged source, in the same source group,
    /// so totals per group stay exact. A tenant can't fill the table every tenant of the shard shares.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxSourcesPerTenant { get; set; } = 200;

    /// <summary>
    /// Hosts and tagged sources one shard holds, all tenants together; a name costs at most
    /// 253 bytes plus ~160 of overhead, so the default bounds the table at ~8 MiB per shard.
    /// </summary>
    [Range(16, 1_000_000)]
    public int MaxSourcesPerShard { get; set; } = 20_000;

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (OwnHosts.Count > MaxTenantsWithOwnHosts)
        {
            yield return new ValidationResult($"{SectionName}:OwnHosts lists {OwnHosts.Count} tenants; at most {MaxTenantsWithOwnHosts}.", [nameof(OwnHosts)]);
        }

        foreach ((string tenant, List<string> hosts) in OwnHosts)
        {
            if (!NameRules.IsValid(Encoding.UTF8.GetBytes(tenant)))
            {
                yield return new ValidationResult(
                    $"{SectionName}:OwnHosts:{tenant} is not a valid tenant name: 1-{NameRules.MaxLength} characters of [A-Za-z0-9_.-]", [nameof(OwnHosts)]);
            }

            if (hosts.Count > MaxOwnHostsPerTenant)
            {
                yield return new ValidationResult($"{SectionName}:OwnHosts:{tenant} lists {hosts.Count} hosts; at most {MaxOwnHostsPerTenant}.", [nameof(OwnHosts)]);
            }

            for (int i = 0; i < hosts.Count; i++)
            {
                if (!IsHost(hosts[i]))
                {
                    yield return new ValidationResult(
                        $"{SectionName}:OwnHosts:{tenant}:{i} '{hosts[i]}' is not a host name: labels of [a-z0-9-_] (or UTF-8) joined by dots, at most {ReferrerClassifier.MaxHostBytes} bytes, an optional port",
                        [nameof(OwnHosts)]);
                }
            }
        }
    }

    /// <summary>A host as a referrer's can be (what <see cref="Parsing.Referrers.OwnHosts.Normalise"/> keeps is compared).</summary>
    private static bool IsHost(string host)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(host.Trim());
        if (bytes.AsSpan().IndexOfAny("/@?#"u8) >= 0)
        {
            // A URL, not a host: Normalise would read "https://shop.example/" as the host "https".
            return false;
        }

        ReadOnlySpan<byte> normal = Parsing.Referrers.OwnHosts.Normalise(bytes);
        if (normal.IsEmpty || normal.Length > ReferrerClassifier.MaxHostBytes || normal[0] == '[')
        {
            return normal.Length is > 2 and <= ReferrerClassifier.MaxHostBytes && normal[^1] == ']';
        }

        byte previous = (byte)'.';
        foreach (byte b in normal)
        {
            bool label = b >= 0x80 || b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'_';
            if (!label && (b != '.' || previous == '.'))
            {
                return false;
            }

            previous = b;
        }

        return previous != '.' && System.Text.Unicode.Utf8.IsValid(normal);
    }
}

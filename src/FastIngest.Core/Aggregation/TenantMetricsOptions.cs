using System.ComponentModel.DataAnnotations;
using FastIngest.Core.Parsing;

namespace FastIngest.Core.Aggregation;

/// <summary>
/// Configuration section <c>FastIngest:Metrics</c>: the tenants <c>/metrics</c> names in a label
/// (<c>fastingest_tenant_requests_total</c>, <c>fastingest_tenant_cache_total</c>), for per-tenant alerts
/// (deploy/prometheus/alerts.yml). None by default.
/// </summary>
/// <remarks>
/// Opt-in, never "the top N seen": every door faces the internet, and a label value an anonymous sender
/// could create would grow Prometheus' series without bound. Listed tenants are configured ones: always
/// admitted, never forgotten, like <c>FastIngest:Tenants</c>.
/// </remarks>
public sealed class TenantMetricsOptions : IValidatableObject
{
    public const string SectionName = "FastIngest:Metrics";

    /// <summary>At most this many tenants: each costs 14 series (5 status classes, 9 cache statuses).</summary>
    public const int MaxTenantLabels = 200;

    /// <summary>Tenants with their own series; empty (the default): none, and no cost per line.</summary>
    [MaxLength(MaxTenantLabels)]
    public IList<string> TenantLabels { get; } = [];

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (ValidationResult invalid in TenantNameList.Validate(TenantLabels, $"{SectionName}:TenantLabels", nameof(TenantLabels), TenantNameList.NoWildcard))
        {
            yield return invalid;
        }

        if (TenantLabels.Distinct(StringComparer.Ordinal).Count() != TenantLabels.Count)
        {
            yield return new ValidationResult($"{SectionName}:TenantLabels lists a tenant twice", [nameof(TenantLabels)]);
        }
    }
}

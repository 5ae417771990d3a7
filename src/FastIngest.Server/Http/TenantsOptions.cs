using System.ComponentModel.DataAnnotations;
using System.Text;
using FastIngest.Core.Parsing;

namespace FastIngest.Server.Http;

/// <summary>
/// <c>FastIngest:Tenants</c>: tenant name → <see cref="TenantSettings"/>, e.g.
/// <c>FastIngest:Tenants:shop:ApiKeys:0=…</c>. No tenants (the default): the events API is open.
/// </summary>
public sealed class TenantsOptions : IValidatableObject
{
    /// <summary>The section bound; <see cref="Tenants"/> is its <c>Tenants</c> child.</summary>
    public const string SectionName = "FastIngest";

    /// <summary>Tenants by name; a name follows the tenant rules (1-64 characters of <c>[A-Za-z0-9_.-]</c>).</summary>
    public IDictionary<string, TenantSettings> Tenants { get; } = new Dictionary<string, TenantSettings>(StringComparer.Ordinal);

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string tenant, TenantSettings settings) in Tenants)
        {
            if (!NameRules.IsValid(Encoding.UTF8.GetBytes(tenant)))
            {
                yield return new ValidationResult(
                    $"FastIngest:Tenants:{tenant} is not a valid tenant name: 1-{NameRules.MaxLength} characters of [A-Za-z0-9_.-]", [nameof(Tenants)]);
            }

            for (int i = 0; i < settings.ApiKeys.Count; i++)
            {
                string key = settings.ApiKeys[i];
                if (string.IsNullOrWhiteSpace(key))
                {
                    yield return new ValidationResult($"FastIngest:Tenants:{tenant}:ApiKeys:{i} is empty", [nameof(Tenants)]);
                }
                else if (!owners.TryAdd(key, tenant) && owners[key] != tenant)
                {
                    // A key authenticates as one tenant; the same key under two would pick one at random.
                    yield return new ValidationResult($"FastIngest:Tenants:{tenant}:ApiKeys:{i} is also a key of tenant {owners[key]}", [nameof(Tenants)]);
                }
            }
        }
    }
}

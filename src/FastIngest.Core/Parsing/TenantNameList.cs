using System.ComponentModel.DataAnnotations;
using System.Text;

namespace FastIngest.Core.Parsing;

/// <summary>
/// The start-up check of a configured list of tenant names (<c>Pixel:AllowedTenants</c>,
/// <c>RawRows:Tenants</c>, <c>Metrics:TenantLabels</c>): each entry follows <see cref="NameRules"/>, and a
/// refusal names its key and index.
/// </summary>
internal static class TenantNameList
{
    /// <summary>The hint of the opt-in lists, which deliberately have no "every tenant".</summary>
    public const string NoWildcard = " (there is no \"*\": list each tenant)";

    /// <param name="key">The list's configuration key, e.g. <c>FastIngest:RawRows:Tenants</c>.</param>
    /// <param name="member">The options property, for <see cref="ValidationResult.MemberNames"/>.</param>
    /// <param name="hint">Appended to each refusal, e.g. that there is no "*".</param>
    public static IEnumerable<ValidationResult> Validate(IList<string> names, string key, string member, string hint = "")
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (!NameRules.IsValid(Encoding.UTF8.GetBytes(names[i])))
            {
                yield return new ValidationResult(
                    $"{key}:{i} '{names[i]}' is not a valid tenant name: 1-{NameRules.MaxLength} characters of [A-Za-z0-9_.-]{hint}",
                    [member]);
            }
        }
    }
}

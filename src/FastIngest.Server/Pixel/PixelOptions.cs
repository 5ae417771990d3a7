using System.ComponentModel.DataAnnotations;
using System.Text;
using FastIngest.Core.Parsing;

namespace FastIngest.Server.Pixel;

/// <summary>Configuration section <c>FastIngest:Pixel</c>: the tracking pixel at <c>/p/{tenant}/{key}.gif</c>.</summary>
public sealed class PixelOptions : IValidatableObject
{
    public const string SectionName = "FastIngest:Pixel";

    /// <summary>
    /// Tenants a pixel may name. Empty (the default): any valid name, which suits one operator's own
    /// sites; list them when the pixel is public, or anyone can invent tenants.
    /// </summary>
    public IList<string> AllowedTenants { get; } = [];

    /// <summary>
    /// Serve the pixel from endpoint routing instead of the terminal middleware; only for measuring the
    /// two (bench/README.md). Both behave the same.
    /// </summary>
    public bool UseEndpointRouting { get; set; }

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (int i = 0; i < AllowedTenants.Count; i++)
        {
            if (!NameRules.IsValid(Encoding.UTF8.GetBytes(AllowedTenants[i])))
            {
                yield return new ValidationResult(
                    $"{SectionName}:AllowedTenants:{i} '{AllowedTenants[i]}' is not a valid tenant name: 1-{NameRules.MaxLength} characters of [A-Za-z0-9_.-]",
                    [nameof(AllowedTenants)]);
            }
        }
    }
}

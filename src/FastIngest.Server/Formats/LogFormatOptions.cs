using System.ComponentModel.DataAnnotations;
using FastIngest.Core.Parsing.Formats;

namespace FastIngest.Server.Formats;

/// <summary>
/// Configuration section <c>FastIngest:Formats</c>: the operator's own NGINX <c>log_format</c>s, by name,
/// each written as in <c>nginx.conf</c> (<c>FastIngest:Formats:main = '$remote_addr - … "$http_user_agent"'</c>).
/// Syslog tags (<see cref="Syslog.SyslogOptions.FormatByTag"/>) and tailed files
/// (<see cref="Files.TailedFile.Format"/>) name one. Every format is compiled at start; one the matcher
/// could not read unambiguously stops the start with a message naming it and the problem.
/// </summary>
public sealed class LogFormatOptions : IValidatableObject
{
    /// <summary>The section bound; <see cref="Formats"/> is its <c>Formats</c> child.</summary>
    public const string SectionName = "FastIngest";

    /// <summary>Names a format cannot take: the built-in formats a file source names the same way.</summary>
    internal static readonly string[] BuiltInNames = ["auto", "json", "combined"];

    /// <summary>The formats' text by name (configuration keys ignore case, so names do too).</summary>
    public IDictionary<string, string> Formats { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Formats.Count > LogFormats.MaxCount)
        {
            yield return new ValidationResult($"{SectionName}:Formats has {Formats.Count} formats, more than {LogFormats.MaxCount}", [nameof(Formats)]);
        }

        foreach ((string name, string text) in Formats)
        {
            if (BuiltInNames.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                yield return new ValidationResult($"{SectionName}:Formats:{name}: '{name}' is a built-in format; give yours another name", [nameof(Formats)]);
            }
            else if (!LogFormatCompiler.TryCompile(name, text, out _, out string? problem))
            {
                yield return new ValidationResult($"{SectionName}:Formats:{name}: {problem}", [nameof(Formats)]);
            }
        }
    }

    /// <summary>Every format compiled, in name order so that indexes do not depend on the configuration's order.</summary>
    internal LogFormats Compile() =>
        new([.. Formats.OrderBy(f => f.Key, StringComparer.OrdinalIgnoreCase).Select(f => LogFormatCompiler.Compile(f.Key, f.Value))]);
}

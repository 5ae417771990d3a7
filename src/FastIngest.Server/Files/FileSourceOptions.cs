using System.ComponentModel.DataAnnotations;

namespace FastIngest.Server.Files;

/// <summary>Configuration section <c>FastIngest:Files</c>: access logs tailed from disk.</summary>
public sealed class FileSourceOptions : IValidatableObject
{
    public const string SectionName = "FastIngest:Files";

    /// <summary>One entry per live log: <c>FastIngest:Files:Sources:0:Path=/var/log/nginx/access.log</c>, …</summary>
    public IList<TailedFile> Sources { get; } = [];

    /// <summary>How often a quiet file is looked at again (new lines, rotation, truncation).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often the read position is made durable (after ClickHouse has the lines before it).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>After a rename rotation, how long the old file must stay quiet before it is left for the new one.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan RotationGrace { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The names under <c>FastIngest:Formats</c>, set at start (<c>LogFormatNamesSetup</c>) so <see cref="Validate"/> can check each source's format.</summary>
    internal IReadOnlyCollection<string> KnownFormats { get; set; } = [];

    /// <inheritdoc/>
    /// <remarks>
    /// What can be checked before any file is looked at; a source's tenant (from a glob match or
    /// <see cref="TailedFile.TenantFromPath"/>) is checked when the tail starts.
    /// </remarks>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (int i = 0; i < Sources.Count; i++)
        {
            TailedFile source = Sources[i];
            string key = $"{SectionName}:Sources:{i}";
            if (string.IsNullOrWhiteSpace(source.Path))
            {
                yield return new ValidationResult($"{key}:Path is required", [nameof(Sources)]);
            }

            if (source.Format is not ("auto" or "json" or "combined") && !KnownFormats.Contains(source.Format, StringComparer.OrdinalIgnoreCase))
            {
                yield return new ValidationResult($"{key}:Format must be auto, json or combined, not '{source.Format}', or the name of a format under FastIngest:Formats", [nameof(Sources)]);
            }
            else if (source.TenantFromHost && source.Format != "json")
            {
                yield return new ValidationResult($"{key}:TenantFromHost needs Format json: the combined format has no host", [nameof(Sources)]);
            }
        }
    }
}

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

            if (source.Format is not ("json" or "combined"))
            {
                yield return new ValidationResult($"{key}:Format must be json or combined, not '{source.Format}'", [nameof(Sources)]);
            }
            else if (source.TenantFromHost && source.Format != "json")
            {
                yield return new ValidationResult($"{key}:TenantFromHost needs Format json: the combined format has no host", [nameof(Sources)]);
            }
        }
    }
}

/// <summary>One tailed log, or several through a glob.</summary>
public sealed class TailedFile
{
    /// <summary>
    /// A file, or a glob (<c>/var/log/nginx/*/access.log</c>, <c>**</c> allowed) expanded at start: each
    /// match is tailed on its own. A plain path that does not exist yet is waited for.
    /// </summary>
    [Required]
    public string Path { get; set; } = "";

    /// <summary><c>json</c> (the <c>fastingest</c> log_format) or <c>combined</c>.</summary>
    public string Format { get; set; } = "combined";

    /// <summary>The tenant every line counts for; or leave empty and set <see cref="TenantFromPath"/>.</summary>
    public string Tenant { get; set; } = "";

    /// <summary>
    /// Each line's tenant is its <c>http_host</c> (port dropped), for a log that mixes virtual hosts;
    /// <c>json</c> format only (the combined format has no host).
    /// </summary>
    public bool TenantFromHost { get; set; }

    /// <summary>A regular expression with a <c>tenant</c> group, matched against each file's full path, e.g. <c>/nginx/(?&lt;tenant&gt;[^/]+)/access\.log$</c>.</summary>
    public string TenantFromPath { get; set; } = "";
}

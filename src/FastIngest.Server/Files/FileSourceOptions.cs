using System.ComponentModel.DataAnnotations;

namespace FastIngest.Server.Files;

/// <summary>Configuration section <c>FastIngest:Files</c>: access logs tailed from disk.</summary>
public sealed class FileSourceOptions
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
}

/// <summary>One tailed log.</summary>
public sealed class TailedFile
{
    [Required]
    public string Path { get; set; } = "";

    /// <summary><c>json</c> (the <c>fastingest</c> log_format) or <c>combined</c>.</summary>
    public string Format { get; set; } = "combined";

    [Required]
    public string Tenant { get; set; } = "";
}

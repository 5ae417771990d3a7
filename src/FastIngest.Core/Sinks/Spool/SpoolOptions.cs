using System.ComponentModel.DataAnnotations;

namespace FastIngest.Core.Sinks.Spool;

/// <summary>Configuration section <c>FastIngest:Spool</c>: where writes wait while ClickHouse can't take them.</summary>
public sealed class SpoolOptions
{
    public const string SectionName = "FastIngest:Spool";

    /// <summary>
    /// Folder of the segment files; one process at a time (a lock file guards it). Empty (the default):
    /// <c>spool</c> under the server's state directory (<c>FastIngest:StateDirectory</c>), or
    /// <c>spool-import</c> there for the import command.
    /// </summary>
    public string Directory { get; set; } = "";

    /// <summary>Cap on the segment files' total size; past it new writes are dropped and counted per tenant.</summary>
    [Range(1L << 20, 1L << 42)]
    public long MaxBytes { get; set; } = 1L << 30;

    /// <summary>A segment file is closed (and a new one started) once it holds this much.</summary>
    [Range(1L << 16, 1L << 32)]
    public long SegmentBytes { get; set; } = 64L << 20;

    /// <summary>This configuration with <see cref="Directory"/> made absolute.</summary>
    public SpoolOptions WithDirectoryUnder(string stateDirectory, string defaultName) => new()
    {
        Directory = Path.GetFullPath(Directory.Length > 0 ? Directory : Path.Combine(stateDirectory, defaultName)),
        MaxBytes = MaxBytes,
        SegmentBytes = SegmentBytes,
    };
}

namespace FastIngest.Server.Infrastructure;

/// <summary>
/// <c>FastIngest:StateDirectory</c>: the folder of everything that must survive a restart: the spool
/// (<c>spool</c>, <c>spool-import</c>), file-tail checkpoints, the import ledger and the remembered
/// Idempotency-Keys. Relative paths are taken from the working directory (run.sh: the repository).
/// </summary>
/// <remarks>
/// Before issue 12 the state root was <c>FastIngest:Events:StateDirectory</c>. Deployments that still set
/// that key keep working: it is read when <c>FastIngest:StateDirectory</c> is not set. With neither, the
/// default is <c>.data/state</c>. At start the folder is created and a probe file written, so a folder
/// that cannot be written stops the start with one line naming it instead of failing later.
/// </remarks>
public sealed class StateOptions
{
    /// <summary>The section the options are bound from; <see cref="StateDirectory"/> is <c>FastIngest:StateDirectory</c>.</summary>
    public const string SectionName = "FastIngest";

    /// <summary>The configuration key of <see cref="StateDirectory"/>.</summary>
    public const string Key = "FastIngest:StateDirectory";

    /// <summary>The key read when <see cref="Key"/> is not set (deployments from before issue 12).</summary>
    public const string LegacyKey = "FastIngest:Events:StateDirectory";

    /// <summary>The default when neither key is set.</summary>
    public const string DefaultDirectory = ".data/state";

    /// <summary>The state folder; empty until resolved from <see cref="Key"/>, <see cref="LegacyKey"/> or the default.</summary>
    public string StateDirectory { get; set; } = "";

    /// <summary>The key <see cref="StateDirectory"/> came from, for start-up errors (or "(default)").</summary>
    internal string Source { get; set; } = Key;

    /// <summary><see cref="StateDirectory"/> made absolute.</summary>
    public string FullPath => Path.GetFullPath(StateDirectory);
}

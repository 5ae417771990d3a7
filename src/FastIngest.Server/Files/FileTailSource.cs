using System.Text;
using System.Text.RegularExpressions;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Parsing;
using FastIngest.Server.Infrastructure;
using Microsoft.Extensions.FileSystemGlobbing;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Files;

/// <summary>The configured live logs (<c>FastIngest:Files:Sources</c>), one <see cref="FileTail"/> each.</summary>
internal sealed class FileTailSource : IIngestSource, IDisposable
{
    private readonly FileSourceOptions _options;
    private readonly IngestPipeline _pipeline;
    private readonly string _stateDirectory;
    private readonly ILogger<FileTail> _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(FileTail Tail, Task Run)> _tails = [];

    public FileTailSource(IOptions<FileSourceOptions> options, IOptions<StateOptions> state, IngestPipeline pipeline, ILogger<FileTail> logger)
    {
        _options = options.Value;
        _pipeline = pipeline;
        _stateDirectory = state.Value.FullPath;
        _logger = logger;
    }

    /// <summary>Each configured source as the files it names today, each with its tenant.</summary>
    private IEnumerable<TailedFile> Files()
    {
        foreach (TailedFile source in _options.Sources)
        {
            // Format and TenantFromHost were validated at start (FileSourceOptions.Validate).
            IEnumerable<string> paths = source.Path.Contains('*', StringComparison.Ordinal) ? Glob(source.Path) : [source.Path];
            foreach (string path in paths)
            {
                string tenant = source.Tenant;
                if (source.TenantFromPath.Length > 0)
                {
                    Match match = Regex.Match(Path.GetFullPath(path), source.TenantFromPath, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                    tenant = match.Success ? match.Groups["tenant"].Value : "";
                }

                if (!source.TenantFromHost && !NameRules.IsValid(Encoding.UTF8.GetBytes(tenant)))
                {
                    throw Invalid(source, $"{path}: the tenant '{tenant}' is not 1-64 characters of [A-Za-z0-9_.-] (set Tenant, or TenantFromPath with a 'tenant' group)");
                }

                var file = new TailedFile { Path = path, Format = source.Format, Tenant = tenant, TenantFromHost = source.TenantFromHost };
                yield return file;
            }
        }
    }

    private static IEnumerable<string> Glob(string pattern)
    {
        // The fixed directories before the first wildcard are the root; the rest is the pattern.
        string full = Path.GetFullPath(pattern);
        int wildcard = full.IndexOf('*', StringComparison.Ordinal);
        string root = full[..(full.LastIndexOf('/', wildcard) + 1)];
        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddInclude(full[root.Length..]);
        return Directory.Exists(root) ? matcher.GetResultsInFullPath(root).Order(StringComparer.Ordinal) : [];
    }

    private static OptionsValidationException Invalid(TailedFile source, string message) =>
        new(FileSourceOptions.SectionName, typeof(TailedFile), [$"{source.Path}: {message}"]);

    public long Lines => _tails.Sum(t => t.Tail.Lines);

    /// <summary>Checkpoints the disk refused to save, all tails.</summary>
    public long CheckpointFailures => _tails.Sum(t => t.Tail.CheckpointFailures);

    public void Start()
    {
        Directory.CreateDirectory(_stateDirectory);
        foreach (TailedFile file in Files())
        {
            var tail = new FileTail(file, _options, _pipeline, _stateDirectory, _logger);
            _tails.Add((tail, Task.Run(() => tail.RunAsync(_stop.Token))));
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach ((FileTail tail, Task run) in _tails)
        {
            await run.ConfigureAwait(false);
            await tail.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _stop.Dispose();
}

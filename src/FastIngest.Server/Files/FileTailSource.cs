using FastIngest.Core.Aggregation;
using FastIngest.Core.Parsing;
using FastIngest.Server.Events;
using FastIngest.Server.Hosting;
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

    public FileTailSource(IOptions<FileSourceOptions> options, IOptions<EventsOptions> events, IngestPipeline pipeline, ILogger<FileTail> logger)
    {
        _options = options.Value;
        _pipeline = pipeline;
        _stateDirectory = Path.GetFullPath(events.Value.StateDirectory);
        _logger = logger;
        foreach (TailedFile file in _options.Sources)
        {
            if (file.Format is not ("json" or "combined") || !NameRules.IsValid(System.Text.Encoding.UTF8.GetBytes(file.Tenant)))
            {
                throw new OptionsValidationException(FileSourceOptions.SectionName, typeof(TailedFile),
                    [$"{file.Path}: Format must be json or combined and Tenant 1-64 characters of [A-Za-z0-9_.-]"]);
            }
        }
    }

    public long Lines => _tails.Sum(t => t.Tail.Lines);

    public void Start()
    {
        Directory.CreateDirectory(_stateDirectory);
        foreach (TailedFile file in _options.Sources)
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

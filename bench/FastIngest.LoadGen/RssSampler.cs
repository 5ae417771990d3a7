namespace FastIngest.LoadGen;

/// <summary>
/// Samples the server's resident set (VmRSS) every 100 ms while a scenario runs and keeps the
/// highest; <c>VmHWM</c> at the end is the kernel's own peak over the process's whole life, which
/// also catches a spike between two samples (and any earlier run's).
/// </summary>
internal sealed class RssSampler : IAsyncDisposable
{
    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(100);

    private readonly int _pid;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public RssSampler(int pid)
    {
        _pid = pid;
        First = Now();
        Peak = First;
        _loop = Task.Run(SampleAsync);
    }

    /// <summary>VmRSS when sampling started, in bytes.</summary>
    public long First { get; }

    /// <summary>The highest VmRSS sampled so far, in bytes.</summary>
    public long Peak { get; private set; }

    /// <summary>VmRSS now, in bytes (0 when the process is gone).</summary>
    public long Now() => ProcessStats.Read(_pid)?.RssBytes ?? 0;

    /// <summary>VmHWM now, in bytes (0 when the process is gone).</summary>
    public long HighWaterMark() => ProcessStats.Read(_pid)?.PeakRssBytes ?? 0;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(s_interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                Peak = Math.Max(Peak, Now());
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped by DisposeAsync.
        }
    }
}

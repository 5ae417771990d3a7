using System.Diagnostics;
using System.Globalization;

namespace FastIngest.LoadGen;

/// <summary>
/// One measured step (send, then wait until the receiving side's count stops rising) and the search
/// for the highest loss-free rate built from such steps.
/// </summary>
internal sealed class LoadRun(ISender sender, ICounter? counter, LoadGenOptions options)
{
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan s_maxWait = TimeSpan.FromSeconds(60);

    public async Task<StepResult> StepAsync(long rate, long count, TimeSpan duration)
    {
        long before = counter is null ? 0 : await counter.ReadAsync().ConfigureAwait(false);
        ProcessStats? statsBefore = ProcessStats.Read(options.ServerPid);
        var clock = Stopwatch.StartNew();
        long sent = await sender.RunAsync(rate, count, duration).ConfigureAwait(false);
        TimeSpan sending = clock.Elapsed;
        long counted = -1;
        if (counter is not null)
        {
            counted = await SettleAsync(counter, before, sent).ConfigureAwait(false);
        }

        ProcessStats? statsAfter = ProcessStats.Read(options.ServerPid);
        double cpu = statsBefore is { } b && statsAfter is { } a ? a.CpuSeconds - b.CpuSeconds : double.NaN;
        return new StepResult(rate, sent, sending, counted, cpu, statsAfter?.PeakRssBytes ?? 0);
    }

    /// <summary>Polls until the count reaches what was sent, or has not moved for the settle time.</summary>
    private async Task<long> SettleAsync(ICounter source, long before, long sent)
    {
        var waited = Stopwatch.StartNew();
        long last = await source.ReadAsync().ConfigureAwait(false) - before;
        var stable = Stopwatch.StartNew();
        while (last < sent && stable.Elapsed < options.Settle && waited.Elapsed < s_maxWait)
        {
            await Task.Delay(s_pollInterval).ConfigureAwait(false);
            long now = await source.ReadAsync().ConfigureAwait(false) - before;
            if (now != last)
            {
                last = now;
                stable.Restart();
            }
        }

        return last;
    }

    /// <summary>
    /// Doubles the offered rate from <c>--rate</c> until a step loses (or the sender cannot offer
    /// it), then bisects between the last loss-free rate and the first lossy one.
    /// </summary>
    /// <summary>Set by <see cref="SearchAsync"/> when the generator, not the receiver, ended the search.</summary>
    public bool SenderLimited { get; private set; }

    public async Task<(StepResult? Best, List<StepResult> Steps)> SearchAsync()
    {
        var steps = new List<StepResult>();
        StepResult? best = null;
        long good = 0, bad = 0;
        long rate = Math.Max(1000, options.Rate);
        while (rate <= options.MaxRate)
        {
            StepResult step = await MeasuredStepAsync(rate, steps).ConfigureAwait(false);
            if (!IsLossFree(step))
            {
                bad = rate;
                break;
            }

            good = rate;
            best = Better(best, step);
            if (step.AchievedRate < 0.9 * rate)
            {
                // The sender is the limit: a higher offer would only measure the generator.
                Console.WriteLine("  the sender cannot offer more; stopping the search here");
                SenderLimited = true;
                return (best, steps);
            }

            rate *= 2;
        }

        for (int i = 0; i < options.SearchSteps && bad > 0 && bad - good > Math.Max(1000, good / 20); i++)
        {
            rate = (good + bad) / 2;
            StepResult step = await MeasuredStepAsync(rate, steps).ConfigureAwait(false);
            if (IsLossFree(step))
            {
                good = rate;
                best = Better(best, step);
            }
            else
            {
                bad = rate;
            }
        }

        return (best, steps);
    }

    private async Task<StepResult> MeasuredStepAsync(long rate, List<StepResult> steps)
    {
        long count = options.Count == long.MaxValue ? (long)(rate * options.Duration.TotalSeconds) : options.Count;
        StepResult step = await StepAsync(rate, count, options.Duration).ConfigureAwait(false);
        steps.Add(step);
        Console.WriteLine("  " + step.Describe(sender.Unit) + (IsLossFree(step) ? "  loss-free" : "  LOSSY"));
        return step;
    }

    private bool IsLossFree(StepResult step) => step.Sent > 0 && step.Lost <= options.LossTolerance * step.Sent;

    private static StepResult Better(StepResult? best, StepResult step) =>
        best is { } b && b.AchievedRate >= step.AchievedRate ? b : step;
}

/// <summary>What one step offered, achieved and got counted.</summary>
internal readonly record struct StepResult(long OfferedRate, long Sent, TimeSpan Sending, long Counted, double ServerCpuSeconds, long ServerPeakRssBytes)
{
    public double AchievedRate => Sent / Math.Max(Sending.TotalSeconds, 1e-6);

    public long Lost => Counted < 0 ? 0 : Math.Max(0, Sent - Counted);

    public double LostPercent => Sent == 0 || Counted < 0 ? 0 : 100.0 * Lost / Sent;

    public string Describe(string unit)
    {
        string offered = OfferedRate == 0 ? "flat out" : OfferedRate.ToString("N0", CultureInfo.InvariantCulture) + "/s";
        string counted = Counted < 0 ? "n/a" : Counted.ToString("N0", CultureInfo.InvariantCulture);
        string line = string.Create(CultureInfo.InvariantCulture,
            $"offered {offered}, sent {Sent:N0} {unit} in {Sending.TotalSeconds:F2} s ({AchievedRate:N0}/s), counted {counted}, lost {Lost:N0} ({LostPercent:F3} %)");
        return double.IsNaN(ServerCpuSeconds)
            ? line
            : line + string.Create(CultureInfo.InvariantCulture, $", server CPU {ServerCpuSeconds:F2} s, peak RSS {ServerPeakRssBytes / 1048576.0:F0} MB");
    }

    public string Machine(string mode) => string.Create(CultureInfo.InvariantCulture,
        $"mode={mode} offered_rate={OfferedRate} achieved_rate={AchievedRate:F0} sent={Sent} counted={Counted} lost={Lost} lost_pct={LostPercent:F3} seconds={Sending.TotalSeconds:F3} server_cpu_s={(double.IsNaN(ServerCpuSeconds) ? -1 : ServerCpuSeconds):F2} server_peak_rss_mb={ServerPeakRssBytes / 1048576.0:F0}");
}

using System.Diagnostics;

namespace FastIngest.LoadGen;

/// <summary>
/// Holds one sender to a fixed rate (or none) and to the count and time bounds. Messages go out in
/// small bursts: whatever is due since the start, then a 1 ms nap when caught up, so the offered rate
/// is exact over any second without a syscall per message for the clock.
/// </summary>
internal sealed class Pacer
{
    private readonly long _rate;
    private readonly long _count;
    private readonly long _deadline;
    private readonly long _start;

    public Pacer(long rate, long count, TimeSpan duration)
    {
        _rate = rate;
        _count = count;
        _start = Stopwatch.GetTimestamp();
        _deadline = _start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>Messages handed out so far.</summary>
    public long Sent { get; private set; }

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_start);

    /// <summary>
    /// How many messages may go now (at least 1), or 0 when the run is over. Blocks while ahead of
    /// the rate. Call <see cref="Took"/> with what was actually sent.
    /// </summary>
    public long Due(long max)
    {
        long allowed;
        while ((allowed = Allowed(max)) < 0)
        {
            Thread.Sleep(1);
        }

        return allowed;
    }

    public void Took(long sent) => Sent += sent;

    /// <summary>The async twin of <see cref="Due"/> for the HTTP senders (many connections, each paced).</summary>
    public async ValueTask<long> DueAsync(long max)
    {
        long allowed;
        while ((allowed = Allowed(max)) < 0)
        {
            await Task.Delay(1).ConfigureAwait(false);
        }

        return allowed;
    }

    /// <summary>What may go now: 0 when the run is over, -1 while ahead of the rate.</summary>
    private long Allowed(long max)
    {
        long now = Stopwatch.GetTimestamp();
        if (Sent >= _count || now >= _deadline)
        {
            return 0;
        }

        long allowed = _count - Sent;
        if (_rate > 0)
        {
            long target = (long)((double)(now - _start) * _rate / Stopwatch.Frequency) + 1;
            allowed = Math.Min(allowed, target - Sent);
        }

        return allowed > 0 ? Math.Min(allowed, max) : -1;
    }
}

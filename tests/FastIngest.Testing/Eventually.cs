using System.Diagnostics;

namespace FastIngest.Testing;

/// <summary>
/// Waits for a condition instead of sleeping: looks again every <see cref="Interval"/> (or the interval
/// given) until the condition holds, and past the timeout fails with the caller's message and the last
/// value it saw, so that a failure says what was waited for and how far it got.
/// </summary>
internal static class Eventually
{
    /// <summary>The default time between two looks: short, so that a test waits barely longer than it must.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Longest text of a last observed value quoted in a failure.</summary>
    private const int MaxDescribed = 4_000;

    /// <summary>
    /// Observes until <paramref name="done"/> holds for what <paramref name="observe"/> returns, and returns
    /// that value. An exception from <paramref name="observe"/> ends the wait at once (e.g. a process that
    /// exited will never become ready).
    /// </summary>
    /// <exception cref="TimeoutException">
    /// Not within <paramref name="timeout"/>; the message is <paramref name="message"/> and the last value observed.
    /// </exception>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> observe, Func<T, bool> done, TimeSpan timeout, string message, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(observe);
        ArgumentNullException.ThrowIfNull(done);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            T value = await observe().ConfigureAwait(false);
            if (done(value))
            {
                return value;
            }

            if (clock.Elapsed >= timeout)
            {
                throw new TimeoutException($"{message}: not within {timeout.TotalSeconds:0.###} s; last observed: {Describe(value)}");
            }

            await Task.Delay(interval ?? Interval).ConfigureAwait(false);
        }
    }

    /// <inheritdoc cref="UntilAsync{T}(Func{Task{T}}, Func{T, bool}, TimeSpan, string, TimeSpan?)"/>
    public static Task<T> UntilAsync<T>(Func<T> observe, Func<T, bool> done, TimeSpan timeout, string message, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(observe);
        return UntilAsync(() => Task.FromResult(observe()), done, timeout, message, interval);
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> is true. It has no value to report: where the condition
    /// reads one (a count, a body), <see cref="UntilAsync{T}(Func{Task{T}}, Func{T, bool}, TimeSpan, string, TimeSpan?)"/>
    /// says more when it fails.
    /// </summary>
    /// <exception cref="TimeoutException">Not within <paramref name="timeout"/>, with <paramref name="message"/>.</exception>
    public static Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string message, TimeSpan? interval = null) =>
        UntilAsync(condition, holds => holds, timeout, message, interval);

    /// <inheritdoc cref="TrueAsync(Func{Task{bool}}, TimeSpan, string, TimeSpan?)"/>
    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout, string message, TimeSpan? interval = null) =>
        UntilAsync(condition, holds => holds, timeout, message, interval);

    private static string Describe<T>(T value)
    {
        string text = value?.ToString() ?? "null";
        return text.Length <= MaxDescribed ? text : text[..MaxDescribed] + $"... ({text.Length} characters)";
    }
}

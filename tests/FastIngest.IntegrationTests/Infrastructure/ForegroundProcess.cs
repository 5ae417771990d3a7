using System.Diagnostics;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>
/// The programs a test runs in the foreground beside FastIngest (NGINX, HAProxy, ZooKeeper, Prometheus):
/// started with their output redirected, stopped with every process they started.
/// </summary>
internal static class ForegroundProcess
{
    /// <summary>Starts <paramref name="file"/> with <paramref name="args"/>, its stdout and stderr redirected.</summary>
    public static Process Start(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        return Process.Start(psi) ?? throw new InvalidOperationException(file + " did not start");
    }

    /// <summary>Kills <paramref name="process"/> and its children unless it has exited, waits for it, and disposes it.</summary>
    public static async Task StopAsync(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}

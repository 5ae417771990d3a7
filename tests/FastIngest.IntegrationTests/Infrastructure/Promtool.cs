using System.Diagnostics;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>
/// Debian's <c>promtool</c> and <c>prometheus</c> (package <c>prometheus</c>, 2.42; test.sh installs it).
/// Missing binaries fail the test that needs them with a message saying so, never skip it.
/// </summary>
internal static class Promtool
{
    /// <summary>The binary's full path, or an exception naming the package to install.</summary>
    public static string Find(string name)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin"))
        {
            string path = Path.Combine(dir, name);
            if (dir.Length > 0 && File.Exists(path))
            {
                return path;
            }
        }

        throw new InvalidOperationException($"{name} is not installed: `apt-get install prometheus` (Debian's package has promtool and prometheus; test.sh installs it)");
    }

    /// <summary>Runs <c>promtool</c> with <paramref name="args"/>; its exit code and everything it printed.</summary>
    public static async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        var psi = new ProcessStartInfo(Find("promtool")) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(psi) ?? throw new InvalidOperationException("promtool did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}

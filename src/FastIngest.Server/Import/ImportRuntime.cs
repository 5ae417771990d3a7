using System.Diagnostics;
using System.Runtime.InteropServices;

namespace FastIngest.Server.Import;

/// <summary>
/// Runs <c>import</c> in a child process of the same program with full JIT (<c>DOTNET_TieredCompilation=0</c>)
/// instead of tiered compilation, the server's setting (issue 15, item 3).
/// </summary>
/// <remarks>
/// An import is a few seconds of the same few hot loops on every core. Tiered, those loops start as
/// tier-0 code and are compiled twice more (instrumented, then optimised) by a background JIT that
/// competes with the parsers for the same cores: a 3,000,000-line import spent ~16 % of its CPU samples
/// in the JIT and used ~30 % more CPU than with full JIT (bench/README.md). The server keeps tiering
/// and its dynamic PGO, which pay off over hours: runtime settings are per process, hence the child.
/// Setting <c>DOTNET_TieredCompilation</c> yourself (to anything) runs the import in this process.
/// </remarks>
internal static partial class ImportRuntime
{
    private const string TieredCompilation = "DOTNET_TieredCompilation";
    private const int SignalInterrupt = 2;
    private const int SignalTerminate = 15;

    /// <summary>True when this process should run the import itself: it is the child, or the user chose.</summary>
    public static bool RunsHere => Environment.GetEnvironmentVariable(TieredCompilation) is not null || Environment.ProcessPath is null;

    /// <summary>Runs the import with <paramref name="args"/> in a child with full JIT; returns its exit code.</summary>
    public static async Task<int> RunInChildAsync(string[] args)
    {
        string host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        // `dotnet FastIngest.Server.dll import …` runs the dll again; the apphost runs itself.
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ImportRuntime).Assembly.Location);
        }

        start.ArgumentList.Add("import");
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment[TieredCompilation] = "0";
        // Standard streams are inherited: progress and the summary reach stderr as they are written.
        using Process child = Process.Start(start) ?? throw new InvalidOperationException("the import process did not start");
        // INT and TERM sent to us are passed on and we wait for the child's exit code: the child stops
        // cleanly (Ctrl+C from a terminal reaches it twice, which it takes as once), and no import runs on
        // unowned after a supervisor or a test's timeout stopped us.
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            _ = Kill(child.Id, SignalInterrupt);
        });
        using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            _ = Kill(child.Id, SignalTerminate);
        });
        await child.WaitForExitAsync().ConfigureAwait(false);
        return child.ExitCode;
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}

using System.Runtime.InteropServices;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>
/// POSIX signals to a child process, what an init system or logrotate sends (<see cref="System.Diagnostics.Process.Kill()"/>
/// is SIGKILL only).
/// </summary>
internal static partial class Signals
{
    private const int SigUsr1 = 10;
    private const int SigTerm = 15;

    /// <summary>SIGTERM, the request to stop gracefully; false when kill(2) failed (errno in <see cref="Marshal.GetLastPInvokeError"/>).</summary>
    public static bool Terminate(int pid) => Kill(pid, SigTerm) == 0;

    /// <summary>SIGUSR1 (to NGINX's master: reopen the log files); false when kill(2) failed.</summary>
    public static bool User1(int pid) => Kill(pid, SigUsr1) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}

using System.Diagnostics;
using System.Globalization;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>
/// util-linux <c>logger</c> (Debian's bsdutils, 2.38) as a real TCP syslog client: one octet-counted
/// connection, one message per line of a file.
/// </summary>
/// <remarks>
/// What it sends, checked byte for byte by <c>SyslogClientsTests</c>: by default RFC 5424,
/// <c>LEN &lt;13&gt;1 2026-11-23T06:57:53.637245+00:00 HOST TAG - - [timeQuality tzKnown="1" isSynced="0"] LINE</c>,
/// TAG as APP-NAME; with <c>--rfc3164</c>, <c>LEN &lt;13&gt;Nov 23 06:58:33 HOST TAG: LINE</c>. No trailer
/// after a frame. A line is sent as read: spaces, tabs, control bytes, invalid UTF-8 and a trailing CR
/// stay, an empty line is an empty message, but a NUL ends the message there.
/// </remarks>
internal static class SyslogLogger
{
    /// <summary>
    /// The longest line sent as one message. logger cuts longer lines into several messages of
    /// <c>--size</c> bytes each, and its default size is 1 KiB, which would split most NGINX lines.
    /// 64 KiB is FastIngest's and the relay's message limit too.
    /// </summary>
    public const int MaxLineBytes = 64 * 1024;

    private static readonly byte[] s_lf = "\n"u8.ToArray();

    /// <summary>
    /// Sends each line as one message tagged <paramref name="tag"/> to 127.0.0.1:<paramref name="tcpPort"/>
    /// and waits for logger to exit; every line has been written to the socket by then.
    /// </summary>
    /// <exception cref="ArgumentException">A line holds LF or NUL, or is longer than <see cref="MaxLineBytes"/>.</exception>
    /// <exception cref="InvalidOperationException">logger failed (e.g. nothing listens), with its stderr.</exception>
    public static async Task SendAsync(int tcpPort, string tag, IEnumerable<byte[]> lines, bool rfc3164 = false)
    {
        using var folder = new TempFolder("logger");
        string file = folder.Combine("lines.log");
        await using (var stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write))
        {
            foreach (byte[] line in lines)
            {
                if (line.AsSpan().IndexOfAny((byte)'\n', (byte)0) >= 0 || line.Length > MaxLineBytes)
                {
                    throw new ArgumentException($"logger would not send this {line.Length}-byte line as one message.", nameof(lines));
                }

                await stream.WriteAsync(line);
                await stream.WriteAsync(s_lf);
            }
        }

        var psi = new ProcessStartInfo("logger") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        string[] args =
        [
            "--tcp", "--octet-count", "-n", "127.0.0.1", "-P", tcpPort.ToString(CultureInfo.InvariantCulture),
            "-t", tag, "--size", MaxLineBytes.ToString(CultureInfo.InvariantCulture), "-f", file,
        ];
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        if (rfc3164)
        {
            psi.ArgumentList.Add("--rfc3164");
        }

        using Process logger = Process.Start(psi) ?? throw new InvalidOperationException("logger did not start");
        Task<string> errors = logger.StandardError.ReadToEndAsync();
        Task<string> output = logger.StandardOutput.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await logger.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            logger.Kill();
            throw new TimeoutException($"logger did not finish in 60 s: {await errors}");
        }

        if (logger.ExitCode != 0)
        {
            throw new InvalidOperationException($"logger exited with {logger.ExitCode}: {await errors}{await output}");
        }
    }
}

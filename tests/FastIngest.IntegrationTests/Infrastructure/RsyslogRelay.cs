using System.Diagnostics;
using System.Net.Sockets;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>
/// A private rsyslogd (Debian's rsyslog) relaying TCP syslog to FastIngest the way operators chain it:
/// imtcp in, omfwd out over TCP with octet counting, its own queue, retrying until the target answers.
/// Never the system daemon: its own config, pid file and work folder, no imuxsock or imklog.
/// </summary>
internal sealed class RsyslogRelay : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private RsyslogRelay(Process process, string folder, int inputPort)
    {
        _process = process;
        _folder = folder;
        InputPort = inputPort;
    }

    /// <summary>imtcp: LF-framed or octet-counted syslog in.</summary>
    public int InputPort { get; }

    public static async Task<RsyslogRelay> StartAsync(int targetTcpPort)
    {
        string folder = Path.Combine(Path.GetTempPath(), "fastingest-rsyslog-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        int input = ServerProcess.FreeTcpPort();
        // RSYSLOG_ForwardFormat keeps PRI, tag and message (RFC 3339 time, as NGINX's RFC 3164 header
        // becomes); control-character escaping is off so the JSON bytes arrive exactly as NGINX wrote them.
        string config = $$"""
            global(workDirectory="{{folder}}" maxMessageSize="64k" parser.escapeControlCharactersOnReceive="off")
            module(load="imtcp")
            input(type="imtcp" port="{{input}}" address="127.0.0.1" ruleset="relay")
            ruleset(name="relay") {
              action(type="omfwd" target="127.0.0.1" port="{{targetTcpPort}}" protocol="tcp"
                     TCP_Framing="octet-counted" template="RSYSLOG_ForwardFormat"
                     queue.type="LinkedList" queue.size="200000" queue.timeoutShutdown="10000"
                     action.resumeRetryCount="-1" action.resumeInterval="1")
            }
            """;
        string configPath = Path.Combine(folder, "rsyslog.conf");
        await File.WriteAllTextAsync(configPath, config);

        string rsyslogd = File.Exists("/usr/sbin/rsyslogd") ? "/usr/sbin/rsyslogd" : "rsyslogd";
        var psi = new ProcessStartInfo(rsyslogd) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in new[] { "-n", "-f", configPath, "-i", Path.Combine(folder, "rsyslogd.pid") })
        {
            psi.ArgumentList.Add(arg);
        }

        Process process = Process.Start(psi) ?? throw new InvalidOperationException("rsyslogd did not start");
        var relay = new RsyslogRelay(process, folder, input);
        for (int i = 0; i < 100; i++)
        {
            if (process.HasExited)
            {
                string errors = await process.StandardError.ReadToEndAsync() + await process.StandardOutput.ReadToEndAsync();
                throw new InvalidOperationException($"rsyslogd exited with {process.ExitCode}: {errors}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", input);
                return relay;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        await relay.DisposeAsync();
        throw new TimeoutException("rsyslogd did not listen on " + input);
    }

    /// <summary>Sends each message LF-terminated over one connection, as NGINX-facing relays receive them.</summary>
    public async Task SendLinesAsync(IEnumerable<byte[]> messages)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", InputPort);
        NetworkStream stream = client.GetStream();
        foreach (byte[] message in messages)
        {
            await stream.WriteAsync(message);
            await stream.WriteAsync("\n"u8.ToArray());
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}

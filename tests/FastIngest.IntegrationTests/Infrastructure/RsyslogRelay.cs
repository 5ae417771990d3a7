using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>
/// A private rsyslogd (Debian's rsyslog 8.2302) relaying syslog to FastIngest the way operators chain it:
/// imtcp (LF-framed) and imudp in, omfwd out over TCP with octet counting, through its own queue that
/// retries until the target answers. Never the system daemon: its own config, pid file and work folder
/// under a temp folder, and no imuxsock or imklog, so it never reads the machine's logs.
/// </summary>
/// <remarks>
/// What it forwards, checked byte for byte by <c>SyslogClientsTests</c>:
/// <c>&lt;PRI&gt;2026-11-22T23:42:25+00:00 HOST TAG: MSG</c>. The RFC 3164 timestamp becomes RFC 3339 and a
/// message without a hostname (NGINX <c>nohostname</c>) gets the sender's address; TAG and MSG are the
/// original bytes. rsyslog is at least once: when the target refuses the first connection, the first
/// message is delivered twice (see <c>RsyslogDeliversEverythingWhenTheTargetListensLate</c>), so a test
/// that counts exactly starts its target before sending.
/// </remarks>
internal sealed class RsyslogRelay : IAsyncDisposable
{
    /// <summary>The action queue's grace on SIGTERM; a stop takes this long at most while the target is down.</summary>
    private static readonly TimeSpan s_shutdownGrace = TimeSpan.FromSeconds(10);

    private static readonly byte[] s_lf = "\n"u8.ToArray();

    private readonly Process _process;
    private readonly TempFolder _folder;
    private readonly ProcessOutput _output;

    private RsyslogRelay(Process process, TempFolder folder, int tcpInputPort, int udpInputPort)
    {
        _process = process;
        // Read both pipes all along: while the target is down rsyslogd reports every retry, and a full
        // pipe would stall it. The start of that story is enough.
        _output = new ProcessOutput(process, maxChars: 64 * 1024);
        _folder = folder;
        TcpInputPort = tcpInputPort;
        UdpInputPort = udpInputPort;
    }

    /// <summary>imtcp on 127.0.0.1: LF-framed (or octet-counted) syslog in.</summary>
    public int TcpInputPort { get; }

    /// <summary>imudp on 127.0.0.1: one message per datagram, as NGINX sends them.</summary>
    public int UdpInputPort { get; }

    /// <summary>What rsyslogd printed (its own errors and notices), for failure messages.</summary>
    public string Output => _output.ToString();

    /// <summary>
    /// The configuration for a relay to <paramref name="targetTcpPort"/>. Each setting is there because
    /// the default would change the bytes, lose messages or touch the machine.
    /// </summary>
    private static string Config(string workDirectory, int tcpInputPort, int udpInputPort, int targetTcpPort, string? tlsCaFile) => $$"""
        # maxMessageSize comes before the inputs load: the default 8k cuts a message whose NGINX line nears 8 KB.
        # Escaping control characters on receive (the default) turns a tab into "#011"; DNS off keeps
        # the relay from blocking on reverse lookups of 127.0.0.1.
        global(workDirectory="{{workDirectory}}" maxMessageSize="64k" net.enableDNS="off"
               parser.escapeControlCharactersOnReceive="off"{{(tlsCaFile is null ? "" : $"\n               defaultNetstreamDriverCAFile=\"{tlsCaFile}\"")}})
        module(load="imtcp")
        module(load="imudp")

        # RSYSLOG_ForwardFormat without its %syslogtag:1:32%: that cut drops the ':' of any tag over 32
        # characters, and tenants may have 64. A 3164 MSG keeps its leading space, so the body is unchanged.
        template(name="FastIngestForward" type="string"
                 string="<%PRI%>%TIMESTAMP:::date-rfc3339% %HOSTNAME% %syslogtag%%msg:::sp-if-no-1st-sp%%msg%")

        # Inputs feed their own ruleset: rsyslogd's own notices go to the default one, which has no
        # action, so they never reach the target and exact counts hold.
        input(type="imtcp" address="127.0.0.1" port="{{tcpInputPort}}" ruleset="relay")
        input(type="imudp" address="127.0.0.1" port="{{udpInputPort}}" ruleset="relay" rcvbufSize="8m")

        ruleset(name="relay") {
          # An in-memory queue far above any test's volume, retried every second forever, so nothing is
          # lost while the target is not up yet; on SIGTERM it keeps sending for up to the grace period.
          action(type="omfwd" name="to_fastingest" target="127.0.0.1" port="{{targetTcpPort}}" protocol="tcp"
                 TCP_Framing="octet-counted" template="FastIngestForward"{{(tlsCaFile is null ? "" : TlsAction)}}
                 queue.type="LinkedList" queue.size="1000000" queue.timeoutShutdown="{{(int)s_shutdownGrace.TotalMilliseconds}}"
                 action.resumeRetryCount="-1" action.resumeInterval="1")
        }
        """;

    /// <summary>
    /// RFC 5425 out: the GnuTLS stream driver (Debian's rsyslog-gnutls) on the forwarding action only,
    /// so the inputs stay plain TCP. "anon" encrypts without checking the server's name or chain: the
    /// test's certificate is self-signed; the CA file is what gtls insists on loading all the same.
    /// </summary>
    private const string TlsAction = """

                         StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="anon"
        """;

    /// <summary>
    /// Starts rsyslogd relaying to <paramref name="targetTcpPort"/> and returns once both inputs listen.
    /// The target need not be up yet. With <paramref name="tlsCaFile"/>, it forwards over TLS (RFC 5425).
    /// </summary>
    public static async Task<RsyslogRelay> StartAsync(int targetTcpPort, string? tlsCaFile = null)
    {
        var workFolder = new TempFolder("rsyslog");
        string folder = workFolder.Path;
        int tcpInput = FreePorts.Tcp();
        int udpInput = FreePorts.Udp();
        string configPath = Path.Combine(folder, "rsyslog.conf");
        await File.WriteAllTextAsync(configPath, Config(folder, tcpInput, udpInput, targetTcpPort, tlsCaFile));

        string rsyslogd = File.Exists("/usr/sbin/rsyslogd") ? "/usr/sbin/rsyslogd" : "rsyslogd";
        var psi = new ProcessStartInfo(rsyslogd) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        // Absolute paths: rsyslogd changes to / before it writes its pid file.
        foreach (string arg in new[] { "-n", "-f", configPath, "-i", Path.Combine(folder, "rsyslogd.pid") })
        {
            psi.ArgumentList.Add(arg);
        }

        Process process = Process.Start(psi) ?? throw new InvalidOperationException("rsyslogd did not start");
        var relay = new RsyslogRelay(process, workFolder, tcpInput, udpInput);
        try
        {
            await relay.WaitListeningAsync(TimeSpan.FromSeconds(10));
            return relay;
        }
        catch
        {
            await relay.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends each message with an LF after it over one TCP connection, as relays receive them.</summary>
    /// <exception cref="ArgumentException">A message holds an LF, which would split it in two.</exception>
    public async Task SendLinesAsync(IEnumerable<byte[]> messages)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, TcpInputPort);
        await using var buffered = new BufferedStream(client.GetStream(), 64 * 1024);
        foreach (byte[] message in messages)
        {
            if (message.AsSpan().Contains((byte)'\n'))
            {
                throw new ArgumentException("An LF-framed message cannot hold an LF.", nameof(messages));
            }

            await buffered.WriteAsync(message);
            await buffered.WriteAsync(s_lf);
        }

        await buffered.FlushAsync();
        // FIN after the last byte, so rsyslogd sees the last frame end rather than a reset.
        client.Client.Shutdown(SocketShutdown.Send);
    }

    /// <summary>
    /// Sends each message as one UDP datagram. Loopback UDP does not drop while rsyslogd's 8 MB receive
    /// buffer has room, so keep a burst well under that.
    /// </summary>
    public async Task SendDatagramsAsync(IEnumerable<byte[]> messages)
    {
        using var client = new UdpClient(AddressFamily.InterNetwork);
        var target = new IPEndPoint(IPAddress.Loopback, UdpInputPort);
        foreach (byte[] message in messages)
        {
            await client.SendAsync(message, target);
        }
    }

    /// <summary>Waits until rsyslogd has printed <paramref name="text"/> (it reports each refused connection, for one).</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout) =>
        await Eventually.UntilAsync(() => Output, output => output.Contains(text, StringComparison.Ordinal), timeout, $"rsyslogd to print \"{text}\" (its output)");

    /// <summary>
    /// Sends SIGTERM and waits for rsyslogd to exit: it first hands what its queue holds to a target that
    /// accepts, for up to 10 s. That is no proof of delivery (bytes still unread in its input sockets are
    /// dropped), so tests count what the target received instead.
    /// </summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        if (Signals.Terminate(_process.Id))
        {
            using var cts = new CancellationTokenSource(s_shutdownGrace + TimeSpan.FromSeconds(5));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
                return;
            }
            catch (OperationCanceledException)
            {
            }
        }

        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
        _folder.Dispose();
    }

    private async Task WaitListeningAsync(TimeSpan timeout)
    {
        try
        {
            await Eventually.UntilAsync(
                async () =>
                {
                    if (_process.HasExited)
                    {
                        // The pipes may still hold its last words.
                        await _process.WaitForExitAsync();
                        throw new InvalidOperationException($"rsyslogd exited with {_process.ExitCode}:\n{Output}");
                    }

                    // UDP cannot be probed by sending: the kernel's socket table says whether it is bound.
                    bool udp = UdpSocketTable.ReceiveQueueBytes(UdpInputPort) is not null;
                    return (UdpBound: udp, TcpAccepts: udp && await AcceptsTcpAsync(TcpInputPort));
                },
                listening => listening.UdpBound && listening.TcpAccepts, timeout,
                $"rsyslogd to listen on UDP {UdpInputPort} and TCP {TcpInputPort} (UDP bound, TCP accepts)");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{Output}", e);
        }
    }

    private static async Task<bool> AcceptsTcpAsync(int port)
    {
        try
        {
            // An empty session: imtcp opens and closes it without a message.
            using var probe = new TcpClient();
            await probe.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

}

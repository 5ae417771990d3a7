using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Syslog;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Syslog;

/// <summary>
/// The real TCP syslog clients the acceptance tests drive FastIngest with (util-linux logger, rsyslog
/// as a relay), checked against a plain listener rather than the server: every frame they send must
/// give <see cref="SyslogParser"/> the NGINX tag as tenant and the JSON line byte for byte as body, and
/// the number of frames must be exact. Needs no ClickHouse.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SyslogClientsTests(ITestOutputHelper output)
{
    /// <summary>tests/data holds 34 datagrams; the first 500 cycle through it, each 8 KB line 14 times.</summary>
    private const int FirstDatagrams = 500;

    private static readonly TimeSpan s_deliveryTimeout = TimeSpan.FromSeconds(60);

    private static readonly byte[][] s_datagrams = Corpus.Datagrams;

    private static readonly byte[][] s_jsonLines = Corpus.JsonLines;

    /// <summary>
    /// Datagram <paramref name="k"/> of the cycled corpus and what it carries. NGINX logged every request
    /// twice: tag shop_example with a hostname, then tag blog with <c>nohostname</c>.
    /// </summary>
    private static Message Cycled(int k)
    {
        int i = k % s_datagrams.Length;
        return new Message(Corpus.TenantOf(i), Corpus.JsonLineOf(i), s_datagrams[i]);
    }

    private static List<Message> FirstCorpus(int count) => [.. Enumerable.Range(0, count).Select(Cycled)];

    [Fact]
    public void TheCorpusPairsEachDatagramWithItsTagAndJsonLine()
    {
        Assert.Equal(2 * s_jsonLines.Length, s_datagrams.Length);
        for (int k = 0; k < s_datagrams.Length; k++)
        {
            Message m = Cycled(k);
            Assert.True(m.Datagram.AsSpan().EndsWith([.. Encoding.ASCII.GetBytes(" " + m.Tenant + ": "), .. m.Body]), $"datagram {k}");
        }

        // The long lines are what a default 1 KiB logger or 8k rsyslog would cut.
        Assert.Contains(s_jsonLines, line => line.Length > 8_000);
        Assert.Contains(s_jsonLines, line => Array.Exists(line, b => b >= 0x80));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LoggerSendsEachLineAsOneFrameWithTheTagAsTenantAndTheLineAsBody(bool rfc3164)
    {
        await using var listener = OctetCountedListener.Start();
        // One logger run per tag, in corpus order within a tag: logger takes one -t per run.
        List<Message> messages = [.. FirstCorpus(FirstDatagrams).OrderBy(m => m.Tenant, StringComparer.Ordinal)];
        foreach (IGrouping<string, Message> tag in messages.GroupBy(m => m.Tenant))
        {
            await SyslogLogger.SendAsync(listener.Port, tag.Key, tag.Select(m => m.Body), rfc3164);
        }

        List<byte[]> frames = await listener.WaitForFramesAsync(messages.Count, s_deliveryTimeout);
        output.WriteLine("logger sent: " + Escape(frames[0], 160));

        Assert.Equal(messages.Count, frames.Count);
        for (int i = 0; i < frames.Count; i++)
        {
            Parsed parsed = Parse(frames[i], rfc3164 ? SyslogFormat.Rfc3164 : SyslogFormat.Rfc5424);
            Assert.Equal(messages[i].Expected, parsed.Key);
        }
    }

    [Fact]
    public async Task LoggerSendsTheRawBytesOfOddLinesUnchanged()
    {
        await using var listener = OctetCountedListener.Start();
        byte[][] lines =
        [
            "{\"ua\":\"tab\there \u0001ctrl\"}"u8.ToArray(),
            "  {\"leading\":\"and trailing spaces\"}  "u8.ToArray(),
            [.. "{\"bad_utf8\":\""u8, 0xFF, 0xFE, .. "\"}"u8],
            "{\"uri\":\"/media/\u65e5\u672c.png\",\"esc\":\"\\x22\\u00e9\"}"u8.ToArray(),
            [.. Enumerable.Repeat((byte)'x', SyslogLogger.MaxLineBytes - 100)],
        ];

        await SyslogLogger.SendAsync(listener.Port, "odd", lines);

        List<byte[]> frames = await listener.WaitForFramesAsync(lines.Length, s_deliveryTimeout);
        Assert.Equal(lines.Length, frames.Count);
        for (int i = 0; i < lines.Length; i++)
        {
            Assert.Equal(new Message("odd", lines[i], []).Expected, Parse(frames[i], SyslogFormat.Rfc5424).Key);
        }
    }

    [Fact]
    public async Task LoggerRefusesALineItWouldSplitOrCut()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => SyslogLogger.SendAsync(1, "blog", [new byte[SyslogLogger.MaxLineBytes + 1]]));
        await Assert.ThrowsAsync<ArgumentException>(() => SyslogLogger.SendAsync(1, "blog", ["{\"a\":\"\0\"}"u8.ToArray()]));
    }

    [Fact]
    public async Task RsyslogRelaysTheFirst500DatagramsOverTcpWithTenantAndBodyUnchanged()
    {
        await using var listener = OctetCountedListener.Start();
        await using RsyslogRelay relay = await RsyslogRelay.StartAsync(listener.Port);
        List<Message> messages = FirstCorpus(FirstDatagrams);

        await relay.SendLinesAsync(messages.Select(m => m.Datagram));

        List<byte[]> frames = await listener.WaitForFramesAsync(messages.Count, s_deliveryTimeout, relay.StopAsync);
        output.WriteLine("rsyslog sent: " + Escape(frames[0], 160));
        output.WriteLine("rsyslog sent: " + Escape(frames[1], 160));
        AssertSameMessages(messages, frames);
    }

    [Fact]
    public async Task RsyslogRelaysTheWholeCorpusManyTimesFromTcpAndUdp()
    {
        await using var listener = OctetCountedListener.Start();
        await using RsyslogRelay relay = await RsyslogRelay.StartAsync(listener.Port);
        List<Message> overTcp = FirstCorpus(30 * s_datagrams.Length);
        List<Message> overUdp = FirstCorpus(3 * s_datagrams.Length);

        // A UDP burst of ~110 KB: loopback drops nothing while it fits the relay's receive buffer.
        await Task.WhenAll(
            relay.SendLinesAsync(overTcp.Select(m => m.Datagram)),
            relay.SendDatagramsAsync(overUdp.Select(m => m.Datagram)));

        List<byte[]> frames = await listener.WaitForFramesAsync(overTcp.Count + overUdp.Count, s_deliveryTimeout, relay.StopAsync);
        AssertSameMessages([.. overTcp, .. overUdp], frames);
    }

    [Fact]
    public async Task RsyslogRelaysLongTagsControlBytesAndLongLinesUnchanged()
    {
        await using var listener = OctetCountedListener.Start();
        await using RsyslogRelay relay = await RsyslogRelay.StartAsync(listener.Port);
        string longTag = new('t', SyslogParser.MaxTenantLength);
        (string Tag, byte[] Body)[] cases =
        [
            (longTag, "{\"tag\":\"as long as a tenant may be\"}"u8.ToArray()),
            ("blog", "{\"ua\":\"tab\there \u0001ctrl \u007f\"}"u8.ToArray()),
            ("blog", [.. "{\"bad_utf8\":\""u8, 0xFF, 0xC3, .. "\"}"u8]),
            ("blog", "  {\"leading\":\"spaces\"}"u8.ToArray()),
            ("shop_example", [.. "{\"long\":\""u8, .. Enumerable.Repeat((byte)'x', 60_000), .. "\"}"u8]),
        ];
        List<Message> messages = [];
        foreach ((string tag, byte[] body) in cases)
        {
            // With a hostname and without one (NGINX nohostname): rsyslog parses the two differently.
            messages.Add(new Message(tag, body, NginxLineBuilder.SyslogDatagram(tag, body, withHostname: true)));
            messages.Add(new Message(tag, body, NginxLineBuilder.SyslogDatagram(tag, body, withHostname: false)));
        }

        await relay.SendLinesAsync(messages.Select(m => m.Datagram));

        List<byte[]> frames = await listener.WaitForFramesAsync(messages.Count, s_deliveryTimeout, relay.StopAsync);
        AssertSameMessages(messages, frames);
    }

    [Fact]
    public async Task RsyslogDeliversEverythingWhenTheTargetListensLate()
    {
        int target = FreePorts.Tcp();
        await using RsyslogRelay relay = await RsyslogRelay.StartAsync(target);
        List<Message> messages = FirstCorpus(FirstDatagrams);
        await relay.SendLinesAsync(messages.Select(m => m.Datagram));

        // Refused connections suspend the action; its queue keeps the messages for the next retry. The
        // target starts listening only once rsyslog has been refused.
        await relay.WaitForOutputAsync($"cannot connect to 127.0.0.1:{target}: Connection refused", s_deliveryTimeout);
        await using var listener = OctetCountedListener.Start(target);

        List<byte[]> frames = await listener.WaitForFramesAsync(messages.Count, s_deliveryTimeout, relay.StopAsync);
        // rsyslog 8.2302 is at least once here: the message whose send was refused comes again after
        // the backlog. Seen on every run; pinned so that a change in that shows up.
        Assert.InRange(frames.Count, messages.Count, messages.Count + 1);
        if (frames.Count > messages.Count)
        {
            int repeat = frames.FindLastIndex(f => Parse(f, SyslogFormat.Rfc3164).Key == messages[0].Expected);
            Assert.True(repeat >= 0, "the extra frame is not the first message again");
            frames.RemoveAt(repeat);
        }

        AssertSameMessages(messages, frames);
    }

    /// <summary>Same messages, as many times each, in any order: tenant and body byte for byte.</summary>
    private static void AssertSameMessages(List<Message> expected, List<byte[]> frames)
    {
        Assert.Equal(expected.Count, frames.Count);
        List<string> want = [.. expected.Select(m => m.Expected).Order(StringComparer.Ordinal)];
        List<string> got = [.. frames.Select(f => Parse(f, SyslogFormat.Rfc3164).Key).Order(StringComparer.Ordinal)];
        for (int i = 0; i < want.Count; i++)
        {
            if (!string.Equals(want[i], got[i], StringComparison.Ordinal))
            {
                Assert.Fail($"message {i} in sorted order differs:\nwant {Escape(Encoding.Latin1.GetBytes(want[i]), 300)}\ngot  {Escape(Encoding.Latin1.GetBytes(got[i]), 300)}");
            }
        }
    }

    private static Parsed Parse(byte[] frame, SyslogFormat format)
    {
        Assert.True(SyslogParser.TryParse(frame, out SyslogHeader header, out RejectReason reason), $"{reason}: {Escape(frame, 300)}");
        Assert.Equal(format, header.Format);
        return new Parsed(
            Encoding.Latin1.GetString(frame, header.TenantStart, header.TenantLength),
            Encoding.Latin1.GetString(frame, header.BodyStart, header.BodyLength));
    }

    /// <summary>Printable ASCII as is, every other byte as \xNN.</summary>
    private static string Escape(ReadOnlySpan<byte> bytes, int max)
    {
        var sb = new StringBuilder();
        foreach (byte b in bytes[..Math.Min(bytes.Length, max)])
        {
            if (b is >= 0x20 and < 0x7F and not (byte)'\\')
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append("\\x").Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return bytes.Length > max ? sb.Append($"... ({bytes.Length} bytes)").ToString() : sb.ToString();
    }

    /// <param name="Tenant">The syslog tag.</param>
    /// <param name="Body">The NGINX JSON line.</param>
    /// <param name="Datagram">The whole syslog message NGINX sent for it.</param>
    private sealed record Message(string Tenant, byte[] Body, byte[] Datagram)
    {
        /// <summary>Tenant and body as one comparable string; Latin-1 maps each byte to one char.</summary>
        public string Expected => new Parsed(Tenant, Encoding.Latin1.GetString(Body)).Key;
    }

    private readonly record struct Parsed(string Tenant, string Body)
    {
        public string Key => Tenant + "\n" + Body;
    }

    /// <summary>
    /// A TCP listener that takes every connection and cuts what arrives into RFC 6587 octet-counted
    /// frames (<c>LEN SP MSG</c>), the framing both clients send. Deliberately naive: it buffers each
    /// connection and records anything that is not a frame as an error.
    /// </summary>
    private sealed class OctetCountedListener : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<byte[]> _frames = [];
        private readonly List<string> _errors = [];
        private readonly Lock _lock = new();
        private readonly List<Task> _connections = [];
        private readonly Task _acceptLoop;

        private OctetCountedListener(TcpListener listener)
        {
            _listener = listener;
            _acceptLoop = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static OctetCountedListener Start(int port = 0)
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return new OctetCountedListener(listener);
        }

        /// <summary>
        /// Waits for <paramref name="count"/> frames, ends the senders that still hold a connection with
        /// <paramref name="stopSenders"/> (a client that has exited holds none), waits until every
        /// connection is closed, and returns all frames: nothing can arrive once every sender has hung up,
        /// so a frame sent after the count (a duplicate, a split line) is among them rather than missed.
        /// </summary>
        public async Task<List<byte[]>> WaitForFramesAsync(int count, TimeSpan timeout, Func<Task>? stopSenders = null)
        {
            await Eventually.UntilAsync(() => (Frames: Snapshot().Count, Errors: string.Join("; ", Errors())), seen => seen.Frames >= count, timeout,
                $"{count} frames (frames, errors)");
            if (stopSenders is not null)
            {
                await stopSenders();
            }

            await Eventually.UntilAsync(OpenConnections, open => open == 0, timeout, "every sender to close its connection (connections open)");
            Assert.Empty(Errors());
            return Snapshot();
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _acceptLoop;
            Task[] connections;
            lock (_lock)
            {
                connections = [.. _connections];
            }

            await Task.WhenAll(connections);
            _stop.Dispose();
        }

        private int OpenConnections()
        {
            lock (_lock)
            {
                return _connections.Count(c => !c.IsCompleted);
            }
        }

        private List<byte[]> Snapshot()
        {
            lock (_lock)
            {
                return [.. _frames];
            }
        }

        private List<string> Errors()
        {
            lock (_lock)
            {
                return [.. _errors];
            }
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                lock (_lock)
                {
                    _connections.Add(ReadAsync(client));
                }
            }
        }

        private async Task ReadAsync(TcpClient client)
        {
            using (client)
            {
                var pending = new List<byte>();
                byte[] buffer = new byte[64 * 1024];
                NetworkStream stream = client.GetStream();
                while (true)
                {
                    int read;
                    try
                    {
                        read = await stream.ReadAsync(buffer, _stop.Token);
                    }
                    catch (Exception e) when (e is OperationCanceledException or IOException)
                    {
                        return;
                    }

                    if (read == 0)
                    {
                        if (pending.Count > 0)
                        {
                            AddError($"connection closed inside a frame: {Escape([.. pending], 100)}");
                        }

                        return;
                    }

                    pending.AddRange(buffer.AsSpan(0, read));
                    if (!CutFrames(pending))
                    {
                        return;
                    }
                }
            }
        }

        /// <summary>Moves every whole frame at the start of <paramref name="pending"/> to the list; false on garbage.</summary>
        private bool CutFrames(List<byte> pending)
        {
            int pos = 0;
            while (true)
            {
                int space = pending.IndexOf((byte)' ', pos);
                if (space < 0)
                {
                    break;
                }

                // RFC 6587: MSG-LEN is NONZERO-DIGIT *DIGIT.
                int length = 0;
                for (int i = pos; i < space; i++)
                {
                    byte b = pending[i];
                    if (b is < (byte)'0' or > (byte)'9' || (i == pos && b == '0') || space - pos > 9)
                    {
                        AddError($"not an octet count at byte {pos}: {Escape([.. pending.Skip(pos).Take(100)], 100)}");
                        return false;
                    }

                    length = (length * 10) + (b - '0');
                }

                if (space == pos)
                {
                    AddError($"empty octet count at byte {pos}");
                    return false;
                }

                if (pending.Count - (space + 1) < length)
                {
                    break;
                }

                byte[] frame = [.. pending.GetRange(space + 1, length)];
                lock (_lock)
                {
                    _frames.Add(frame);
                }

                pos = space + 1 + length;
            }

            pending.RemoveRange(0, pos);
            return true;
        }

        private void AddError(string error)
        {
            lock (_lock)
            {
                _errors.Add(error);
            }
        }
    }
}

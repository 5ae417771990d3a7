using System.Net;
using System.Net.Sockets;
using FastIngest.Core.Aggregation;
using FastIngest.Server.Hosting;
using FastIngest.Server.Syslog;
using FastIngest.Tests.Aggregation;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FastIngest.Tests.Syslog;

/// <summary>
/// <c>Syslog:ReusePort</c> (issue 19): two receivers standing for two FastIngest processes share one UDP port
/// and the kernel spreads the senders over them; the TCP listening sockets Kestrel gets share theirs. The
/// real processes are in tests/FastIngest.IntegrationTests/Nodes.
/// </summary>
[Collection(ProcessWideMeasurements.Name)]
public sealed class ReusePortTests
{
    private static readonly byte[][] s_corpus = Corpus.Datagrams;

    [Fact]
    public async Task TwoReceiversWithReusePortShareOnePortAndBetweenThemCountEveryDatagram()
    {
        var sink = new CollectingSink();
        var pipeline = new IngestPipeline(new AggregationOptions { Shards = 2, ChannelCapacity = 32, MaxLateness = TimeSpan.FromDays(36_500) }, sink, sink.Pool, NullLogger.Instance);
        int port = FreePorts.Udp();
        // One socket each: ReusePort alone must set SO_REUSEPORT, not only a group of several.
        UdpSyslogReceiver[] nodes = [Receiver(port, pipeline), Receiver(port, pipeline)];
        pipeline.Start();
        foreach (UdpSyslogReceiver node in nodes)
        {
            node.Start();
            Assert.Single(node.Loops);
        }

        var senders = new Socket[32];
        for (int i = 0; i < senders.Length; i++)
        {
            senders[i] = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            senders[i].Connect(new IPEndPoint(IPAddress.Loopback, port));
        }

        await Task.WhenAll(senders.Select(s => Task.Factory.StartNew(() => Send(s, 250), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)));
        foreach (UdpSyslogReceiver node in nodes)
        {
            await node.StopAsync(CancellationToken.None);
        }

        await pipeline.StopAsync();
        Assert.Equal(8_000, nodes.Sum(n => n.Datagrams));
        Assert.All(nodes, n => Assert.True(n.Datagrams > 0, $"the kernel spread 32 senders over both: {nodes[0].Datagrams} and {nodes[1].Datagrams}"));
        Assert.Equal(8_000UL, (ulong)sink.Traffic.Sum(r => (long)r.Counters.Requests));
        foreach (Socket sender in senders)
        {
            sender.Dispose();
        }

        foreach (UdpSyslogReceiver node in nodes)
        {
            node.Dispose();
        }

        pipeline.Dispose();
    }

    [Fact]
    public void WithReusePortAPortHeldByAnotherProgramsPlainSocketStillFailsTheStart()
    {
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)holder.LocalEndPoint!).Port;
        var pipeline = new IngestPipeline(new AggregationOptions { Shards = 1, ChannelCapacity = 32 }, new CollectingSink(), new CollectingSink().Pool, NullLogger.Instance);
        UdpSyslogReceiver receiver = Receiver(port, pipeline);

        var failure = Assert.Throws<FastIngest.Server.Infrastructure.StartupException>(receiver.Start);
        Assert.Contains($"cannot listen on UDP 127.0.0.1:{port}", failure.Message, StringComparison.Ordinal);
        receiver.Dispose();
        pipeline.Dispose();
    }

    [Fact]
    public void WithReusePortTheTcpSyslogListenSocketsShareTheirPortAndOthersBindAsKestrelDoes()
    {
        int tcpPort = FreePorts.Tcp(), httpPort = FreePorts.Tcp();
        var transport = new SocketTransportOptions();
        new SyslogListenSocketSetup(Options.Create(new SyslogOptions { BindAddress = "127.0.0.1", TcpPort = tcpPort, ReusePort = true })).Configure(transport);

        using Socket first = transport.CreateBoundListenSocket(new IPEndPoint(IPAddress.Loopback, tcpPort));
        using Socket second = transport.CreateBoundListenSocket(new IPEndPoint(IPAddress.Loopback, tcpPort));
        first.Listen();
        second.Listen();
        using Socket http = transport.CreateBoundListenSocket(new IPEndPoint(IPAddress.Loopback, httpPort));
        http.Listen();
        // Another port keeps Kestrel's default: a second bind on it fails.
        Assert.Throws<SocketException>(() => transport.CreateBoundListenSocket(new IPEndPoint(IPAddress.Loopback, httpPort)));
    }

    [Fact]
    public void WithoutReusePortKestrelsListenSocketsAreLeftAlone()
    {
        var transport = new SocketTransportOptions();
        Func<EndPoint, Socket> kestrels = transport.CreateBoundListenSocket;
        new SyslogListenSocketSetup(Options.Create(new SyslogOptions { BindAddress = "127.0.0.1", TcpPort = FreePorts.Tcp() })).Configure(transport);
        Assert.Same(kestrels, transport.CreateBoundListenSocket);
    }

    private static UdpSyslogReceiver Receiver(int port, IngestPipeline pipeline) =>
        new(Options.Create(new SyslogOptions { BindAddress = "127.0.0.1", UdpPort = port, UdpReceivers = 1, ReusePort = true }), pipeline, new SourceFence([]), NullLogger<UdpSyslogReceiver>.Instance);

    private static void Send(Socket socket, int count)
    {
        for (int i = 0; i < count; i++)
        {
            socket.Send(s_corpus[i % s_corpus.Length]);
            if (i % 50 == 49)
            {
                Thread.Sleep(1); // stay below what a Debug build drains, so the kernel drops nothing
            }
        }
    }
}

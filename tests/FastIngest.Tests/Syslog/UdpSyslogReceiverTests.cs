using System.Net.Sockets;
using System.Text;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;
using FastIngest.Server.Syslog;
using FastIngest.Tests.Aggregation;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FastIngest.Tests.Syslog;

/// <summary>The receive loop on a real loopback socket, with the shards behind it, in this process.</summary>
[Collection(ProcessWideMeasurements.Name)]
public sealed class UdpSyslogReceiverTests
{
    private static readonly byte[][] s_corpus = Corpus.Datagrams;

    private const int ChannelCapacity = 32;

    // The corpus is real lines of one day in 2026: they must count, however long ago that day is.
    private static readonly TimeSpan s_corpusAge = TimeSpan.FromDays(36_500);

    private static (UdpSyslogReceiver Receiver, IngestPipeline Pipeline, CollectingSink Sink) Start(params string[] allowedSources)
    {
        var sink = new CollectingSink();
        var pipeline = new IngestPipeline(new AggregationOptions { Shards = 2, ChannelCapacity = ChannelCapacity, MaxLateness = s_corpusAge }, sink, sink.Pool, NullLogger.Instance);
        var options = Options.Create(new SyslogOptions { BindAddress = "127.0.0.1", UdpPort = FreePorts.Udp() });
        var receiver = new UdpSyslogReceiver(options, pipeline, new SourceFence(allowedSources), NullLogger<UdpSyslogReceiver>.Instance);
        pipeline.Start();
        receiver.Start();
        return (receiver, pipeline, sink);
    }

    // Synchronous with Thread.Sleep (Task.Delay's timers would be the largest allocation measured), on a
    // thread of its own: sleeping on a pool thread starves the shards on a 2-core machine.
    private static Task SendAsync(Socket socket, int count) =>
        Task.Factory.StartNew(() => Send(socket, count), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static void Send(Socket socket, int count)
    {
        for (int i = 0; i < count; i++)
        {
            socket.Send(s_corpus[i % s_corpus.Length]);
            if (i % 100 == 99)
            {
                Thread.Sleep(1); // stay well below what a Debug build drains, so the kernel drops nothing
            }
        }
    }

    [Fact]
    public async Task CountsEveryDatagramAndDrainsTheSocketOnStop()
    {
        (UdpSyslogReceiver receiver, IngestPipeline pipeline, CollectingSink sink) = Start();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(receiver.LocalEndPoint!);
        await SendAsync(socket, 10_000);
        socket.Send(Encoding.ASCII.GetBytes("not syslog"));

        await receiver.StopAsync(CancellationToken.None);
        await pipeline.StopAsync();

        Assert.Equal(10_001, receiver.Datagrams);
        Assert.Equal(10_000UL, (ulong)sink.Traffic.Sum(r => (long)r.Counters.Requests));
        Assert.Equal(["blog", "shop_example"], sink.Traffic.Select(r => Encoding.UTF8.GetString(r.Tenant)).Distinct().Order());
        Assert.Equal(1UL, (ulong)sink.Errors.Sum(e => (long)e.Count));
        receiver.Dispose();
        pipeline.Dispose();
    }

    [Fact]
    public async Task DropsDatagramsFromOutsideTheAllowedSourcesBeforeParsing()
    {
        (UdpSyslogReceiver receiver, IngestPipeline pipeline, CollectingSink sink) = Start("10.0.0.0/8", "127.0.0.1/32");
        using var outsider = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        // Linux routes all of 127.0.0.0/8 to loopback: a second local address, outside 127.0.0.1/32.
        outsider.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Parse("127.0.0.2"), 0));
        outsider.Connect(receiver.LocalEndPoint!);
        using var insider = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        insider.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        insider.Connect(receiver.LocalEndPoint!);
        for (int i = 0; i < 100; i++)
        {
            outsider.Send(s_corpus[i % s_corpus.Length]);
            insider.Send(s_corpus[i % s_corpus.Length]);
        }

        await Eventually.UntilAsync(() => receiver.RefusedSource + receiver.Datagrams, n => n == 200, TimeSpan.FromSeconds(30), "200 datagrams read");
        await receiver.StopAsync(CancellationToken.None);
        await pipeline.StopAsync();

        Assert.Equal(100, receiver.RefusedSource);
        Assert.Equal(100, receiver.Datagrams);
        Assert.Equal(100UL, (ulong)sink.Traffic.Sum(r => (long)r.Counters.Requests));
        Assert.Empty(sink.Errors);
        receiver.Dispose();
        pipeline.Dispose();
    }

    [Fact]
    public async Task ReceivingAllocatesNothingPerDatagramOnceWarm()
    {
        // Fenced, with the admitting network last, so every datagram walks the whole list.
        (UdpSyslogReceiver receiver, IngestPipeline pipeline, _) = Start("10.0.0.0/8", "2001:db8::/32", "192.168.0.0/16", "127.0.0.0/8");
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(receiver.LocalEndPoint!);
        FillBatchPool(pipeline);
        await SendAsync(socket, 20_000); // warm: buckets, tenants, JIT
        await WaitForSettledAsync(receiver, pipeline);

        // Per datagram received: on 2 cores a Debug build can fall behind the sender and the kernel
        // drops some; exact counts under load are the integration tests' job (Release server).
        const int Datagrams = 50_000;
        long receivedBefore = receiver.Datagrams;
        long before = GC.GetTotalAllocatedBytes(precise: true);
        await SendAsync(socket, Datagrams);
        await WaitForSettledAsync(receiver, pipeline);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        long received = receiver.Datagrams - receivedBefore;

        await receiver.StopAsync(CancellationToken.None);
        await pipeline.StopAsync();
        Assert.InRange(received, Datagrams / 2, Datagrams);
        // Process-wide, so the test's own awaits, the flush timer and waits under backpressure show up.
        // One allocation per datagram would be at least 24 B × 25,000+ = 600 KB.
        Assert.True(allocated < 4 * received, $"{allocated} bytes for {received} datagrams ({(double)allocated / received:F2} B each)");
        receiver.Dispose();
        pipeline.Dispose();
    }

    [Fact]
    public async Task CountsEveryDatagramExactlyAcrossSeveralReceiveSockets()
    {
        var sink = new CollectingSink();
        var pipeline = new IngestPipeline(new AggregationOptions { Shards = 2, ChannelCapacity = ChannelCapacity, MaxLateness = s_corpusAge }, sink, sink.Pool, NullLogger.Instance);
        var options = Options.Create(new SyslogOptions { BindAddress = "127.0.0.1", UdpPort = FreePorts.Udp(), UdpReceivers = 4 });
        var receiver = new UdpSyslogReceiver(options, pipeline, new SourceFence(["127.0.0.0/8"]), NullLogger<UdpSyslogReceiver>.Instance);
        pipeline.Start();
        receiver.Start();
        Assert.Equal(UdpSyslogReceiver.Batched ? 4 : 1, receiver.Loops.Count);

        // SO_REUSEPORT hashes each sender's address and port to one socket: 16 senders spread over the 4.
        var senders = new Socket[16];
        for (int i = 0; i < senders.Length; i++)
        {
            senders[i] = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            senders[i].Connect(receiver.LocalEndPoint!);
        }

        await Task.WhenAll(senders.Select(s => SendAsync(s, 1_000)));
        await receiver.StopAsync(CancellationToken.None);
        await pipeline.StopAsync();

        Assert.Equal(16_000, receiver.Datagrams);
        Assert.Equal(16_000UL, (ulong)sink.Traffic.Sum(r => (long)r.Counters.Requests));
        if (UdpSyslogReceiver.Batched)
        {
            Assert.True(receiver.Loops.Count(l => l.Datagrams > 0) > 1, "the kernel spread the senders over more than one socket");
        }

        foreach (Socket sender in senders)
        {
            sender.Dispose();
        }

        receiver.Dispose();
        pipeline.Dispose();
    }

    [Fact]
    public async Task ASecondReceiverGroupOnTheSamePortFailsToStartAndTheFirstKeepsReceiving()
    {
        var sink = new CollectingSink();
        var pipeline = new IngestPipeline(new AggregationOptions { Shards = 2, ChannelCapacity = ChannelCapacity, MaxLateness = s_corpusAge }, sink, sink.Pool, NullLogger.Instance);
        int port = FreePorts.Udp();
        var first = new UdpSyslogReceiver(Options.Create(new SyslogOptions { BindAddress = "127.0.0.1", UdpPort = port, UdpReceivers = 2 }), pipeline, new SourceFence([]), NullLogger<UdpSyslogReceiver>.Instance);
        pipeline.Start();
        first.Start();

        // Same user, same port, SO_REUSEPORT on both sides: without the probe the kernel would let it join.
        var second = new UdpSyslogReceiver(Options.Create(new SyslogOptions { BindAddress = "127.0.0.1", UdpPort = port, UdpReceivers = 2 }), pipeline, new SourceFence([]), NullLogger<UdpSyslogReceiver>.Instance);
        var failure = Assert.Throws<FastIngest.Server.Infrastructure.StartupException>(second.Start);
        Assert.Contains($"FastIngest:Syslog:UdpPort: cannot listen on UDP 127.0.0.1:{port}", failure.Message, StringComparison.Ordinal);
        Assert.Contains("in use", failure.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(second.Loops);

        // 16 senders: had the second group joined, the kernel would have hashed some of them to it.
        var senders = new Socket[16];
        for (int i = 0; i < senders.Length; i++)
        {
            senders[i] = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            senders[i].Connect(first.LocalEndPoint!);
        }

        await Task.WhenAll(senders.Select(s => SendAsync(s, 500)));
        await first.StopAsync(CancellationToken.None);
        await pipeline.StopAsync();

        Assert.Equal(8_000, first.Datagrams);
        Assert.Equal(8_000UL, (ulong)sink.Traffic.Sum(r => (long)r.Counters.Requests));
        foreach (Socket sender in senders)
        {
            sender.Dispose();
        }

        second.Dispose();
        first.Dispose();
        pipeline.Dispose();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void APortHeldByAPlainSocketFailsTheStartOfAReceiverGroup(bool holderReusesPort)
    {
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        if (holderReusesPort)
        {
            // A socket that would let a group join it: the group must still refuse to share.
            holder.SetRawSocketOption(1, 15, BitConverter.GetBytes(1)); // SOL_SOCKET, SO_REUSEPORT
        }

        holder.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        int port = ((System.Net.IPEndPoint)holder.LocalEndPoint!).Port;
        var pipeline = new IngestPipeline(new AggregationOptions { Shards = 1, ChannelCapacity = ChannelCapacity, MaxLateness = s_corpusAge }, new CollectingSink(), new CollectingSink().Pool, NullLogger.Instance);
        var receiver = new UdpSyslogReceiver(Options.Create(new SyslogOptions { BindAddress = "127.0.0.1", UdpPort = port, UdpReceivers = 3 }), pipeline, new SourceFence([]), NullLogger<UdpSyslogReceiver>.Instance);

        var failure = Assert.Throws<FastIngest.Server.Infrastructure.StartupException>(receiver.Start);
        Assert.Contains($"cannot listen on UDP 127.0.0.1:{port}", failure.Message, StringComparison.Ordinal);
        Assert.Empty(receiver.Loops);
        receiver.Dispose();
        pipeline.Dispose();
    }

    [Fact]
    public async Task CountsTheDatagramsTheKernelHoldsWhenStopped()
    {
        var sink = new CollectingSink();
        // Shards not started and one batch per channel: the receive loop soon waits in its flush, and
        // what is sent meanwhile stays in the kernel's queue.
        var pipeline = new IngestPipeline(new AggregationOptions { Shards = 1, ChannelCapacity = 1, MaxLateness = s_corpusAge }, sink, sink.Pool, NullLogger.Instance);
        var options = Options.Create(new SyslogOptions { BindAddress = "127.0.0.1", UdpPort = FreePorts.Udp(), UdpReceivers = 1 });
        var receiver = new UdpSyslogReceiver(options, pipeline, new SourceFence([]), NullLogger<UdpSyslogReceiver>.Instance);
        receiver.Start();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(receiver.LocalEndPoint!);
        int sent = 0;
        await Eventually.UntilAsync(
            () =>
            {
                socket.Send(s_corpus[sent++ % s_corpus.Length]);
                return UdpSocketTable.ReceiveQueueBytes(receiver.LocalEndPoint!.Port);
            },
            queued => queued >= 16 * 1024, TimeSpan.FromSeconds(30), "datagrams waiting in the kernel while the loop is blocked", TimeSpan.FromMilliseconds(5));
        long readBeforeStop = receiver.Datagrams;

        Task stopping = receiver.StopAsync(CancellationToken.None);
        pipeline.Start(); // the loop's flush completes, it sees the stop and drains the socket
        await stopping;
        await pipeline.StopAsync();

        Assert.True(readBeforeStop < sent, $"{readBeforeStop} of {sent} read before the stop");
        Assert.Equal(sent, receiver.Datagrams);
        Assert.Equal(0, UdpSocketTable.ReceiveQueueBytes(receiver.LocalEndPoint!.Port) ?? 0);
        Assert.Equal((ulong)sent, (ulong)sink.Traffic.Sum(r => (long)r.Counters.Requests));
        receiver.Dispose();
        pipeline.Dispose();
    }

    /// <summary>
    /// Rents as many batches as can ever be in flight (every channel full, plus one held by the
    /// receiver and one in process per shard) and returns them: the pool never grows after this.
    /// </summary>
    private static void FillBatchPool(IngestPipeline pipeline)
    {
        int inFlight = pipeline.ShardCount * (ChannelCapacity + 2);
        var batches = new IngestBatch[inFlight];
        for (int i = 0; i < inFlight; i++)
        {
            batches[i] = pipeline.IngestBatches.Rent();
        }

        foreach (IngestBatch batch in batches)
        {
            pipeline.IngestBatches.Return(batch);
        }
    }

    /// <summary>Waits until the socket's kernel queue is empty and the shards have counted all it read.</summary>
    /// <remarks>
    /// Each look allocates inside the measurement, reading /proc most of all: it reads the kernel's queue only
    /// once the counts agree, and looks every 100 ms (shards publish their counts at each 1 s flush).
    /// </remarks>
    private static async Task WaitForSettledAsync(UdpSyslogReceiver receiver, IngestPipeline pipeline) =>
        await Eventually.UntilAsync(
            () =>
            {
                long counted = pipeline.Shards.Sum(s => s.LinesCounted + s.Rejected);
                long received = receiver.Datagrams;
                return (Counted: counted, Received: received, Queued: counted == received ? UdpSocketTable.ReceiveQueueBytes(receiver.LocalEndPoint!.Port) : null);
            },
            settled => settled.Counted == settled.Received && settled.Queued == 0,
            TimeSpan.FromSeconds(30), "every datagram read and counted (counted, received, bytes queued)", TimeSpan.FromMilliseconds(100));
}

using System.Net;
using System.Net.Sockets;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.Delivery;

// A disk fault under the spool (issue 13, item 5): the file system, not the spool's cap, says no.
public sealed partial class DeliveryGuaranteeTests
{
    [Fact]
    public async Task ASpoolDiskThatFillsUpDropsLoudlyCountsPerTenantAndRecoversOnceThereIsRoom()
    {
        string db = UniqueName.For("diskfull");
        // A real 4 MiB file system as the state directory, all but 512 KiB taken by a filler file: the spool
        // hits ENOSPC long before its own 1 GiB cap.
        using var disk = new TmpfsMount("diskfull", 4L << 20);
        string filler = disk.Fill("filler", leaveFreeBytes: 512 * 1024);
        await using var gate = new ClickHouseProxy(clickHouse.HttpPort);
        var lines = new NginxLines(seed: 34);
        var dropped = new Dictionary<string, long>();
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db,
            $"--FastIngest:StateDirectory={disk.Path}", $"--FastIngest:ClickHouse:Url=http://127.0.0.1:{gate.Port}");
        // The schema went in at start, through the open gate; from now on ClickHouse is unreachable.
        gate.Close();
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, server.TcpPort);
        NetworkStream stream = client.GetStream();

        // Paced steps until the disk refuses a spool write, then a few more that find it still full.
        int step = 0;
        await Eventually.UntilAsync(
            async () =>
            {
                await stream.WriteAsync(Frames(lines, 6_000, step++));
                return await server.MetricAsync("fastingest_spool_disk_faults_total");
            },
            faults => faults > 0, TimeSpan.FromSeconds(90), "the disk to refuse a spool write (faults)", TimeSpan.FromMilliseconds(300));
        for (int more = 0; more < 3; more++, step++)
        {
            await stream.WriteAsync(Frames(lines, 6_000, step));
            await Task.Delay(300);
        }

        long sent = 6_000L * step;
        await WaitUntilSpooledAsync(server, sent);

        // Alive, and saying that counts are lost and why.
        ServerHealth health = await server.HealthAsync();
        output.WriteLine(health.ToString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.Status);
        AssertSaysDiskError(health, "No space left on device");
        Assert.Equal(1, await server.MetricAsync("fastingest_spool_full"));
        foreach (string tenant in lines.Expected.Keys)
        {
            dropped[tenant] = (long)await server.MetricAsync($"fastingest_spool_dropped_total{{tenant=\"{tenant}\"}}");
        }

        Assert.True(dropped.Values.Sum() > 0, "something must have been dropped");
        // The log arrives through a pipe, a moment after what it reports.
        await Eventually.TrueAsync(() => server.Output.Contains("can't be written (the disk refused it)", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the log to say \"can't be written (the disk refused it)\"");
        Assert.DoesNotContain("Unhandled exception", server.Output, StringComparison.Ordinal);

        // Room again, and ClickHouse back: no restart. The spool replays, new lines (a new tenant's too) are
        // written, and the server says healthy only once that is true.
        File.Delete(filler);
        gate.Open();
        await stream.WriteAsync(Frames(lines, 6_000, step));
        await stream.WriteAsync(FreshTenantFrames(lines, 100));
        sent += 6_100;
        long expectedStored = sent - dropped.Values.Sum();
        await WaitUntilStoredAsync(clickHouse, db, server, expectedStored, TimeSpan.FromSeconds(90));
        await Eventually.UntilAsync(() => server.HealthAsync(), h => h.Status == HttpStatusCode.OK && h.Body.GetProperty("status").GetString() == "healthy",
            TimeSpan.FromSeconds(30), "/health healthy again");
        Assert.Equal(0, await server.MetricAsync("fastingest_spool_full"));
        // The log arrives through a pipe, a moment after what it reports.
        await Eventually.TrueAsync(() => server.Output.Contains("is writable again", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the log to say \"is writable again\"");

        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        output.WriteLine(server.Output);
        Assert.DoesNotContain("Unhandled exception", server.Output, StringComparison.Ordinal);
        Assert.Equal(sent, lines.Expected.Values.Sum(t => t.Requests));
        foreach ((string tenant, TenantTotals expected) in lines.Expected)
        {
            long stored = await TrafficTotals.RequestsAsync(clickHouse, db, tenant);
            Assert.Equal($"{tenant} {expected.Requests}", $"{tenant} {stored + dropped.GetValueOrDefault(tenant)}");
        }

        Assert.Equal(100, await TrafficTotals.RequestsAsync(clickHouse, db, "fresh"));
    }

    private static void AssertSaysDiskError(ServerHealth health, string diskError)
    {
        System.Text.Json.JsonElement spool = health.Body.GetProperty("spool");
        Assert.True(spool.GetProperty("full").GetBoolean());
        Assert.Contains(diskError, spool.GetProperty("disk_error").GetString(), StringComparison.Ordinal);
        Assert.Contains(diskError, health.Body.GetProperty("clickhouse").GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    /// <summary><paramref name="count"/> frames of a tenant that never sent before: <c>fresh</c>.</summary>
    private static byte[] FreshTenantFrames(NginxLines lines, int count)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var frames = new MemoryStream();
        for (int i = 0; i < count; i++)
        {
            frames.Write(SyslogFrames.OctetCounted(NginxLineBuilder.SyslogDatagram("fresh", lines.Line("fresh", now - i), withHostname: true)));
        }

        return frames.ToArray();
    }
}

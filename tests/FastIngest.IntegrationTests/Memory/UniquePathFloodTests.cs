using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Memory;

[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class UniquePathFloodTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    // Measured on the 2-core CI machine: 154 MiB peak (81 MiB at start) for the million paths; the
    // bound leaves room for GC timing, not for growth with the number of paths.
    private const long RssBoundBytes = 256L << 20;

    [Fact]
    public async Task AMillionUniquePathsKeepMemoryBoundedAndEverySumExact()
    {
        string db = "pathflood_" + Guid.NewGuid().ToString("N")[..8];
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db);
        long before = PeakRss(server.ProcessId);
        var lines = new NginxLines(seed: 50);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        // Five tenants, every line a path never seen before, sent over TCP (lossless) in 20 slices.
        using (var client = new TcpClient { NoDelay = true })
        {
            await client.ConnectAsync(IPAddress.Loopback, server.TcpPort);
            for (int slice = 0; slice < 20; slice++)
            {
                var frames = new MemoryStream(40 << 20);
                for (int i = 0; i < 50_000; i++)
                {
                    int n = (slice * 50_000) + i;
                    string tenant = "t" + (n % 5).ToString(CultureInfo.InvariantCulture);
                    byte[] message = NginxLines.Datagram(tenant, lines.Line(tenant, now - (n % 600_000), $"/flood/{n:x8}/{Guid.NewGuid():N}"), withHostname: true);
                    frames.Write(Encoding.ASCII.GetBytes(message.Length.ToString(CultureInfo.InvariantCulture) + " "));
                    frames.Write(message);
                }

                await client.GetStream().WriteAsync(frames.GetBuffer().AsMemory(0, (int)frames.Length));
            }
        }

        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (await server.MetricAsync("fastingest_clickhouse_lines_written_total") < 1_000_000 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
        }

        long peak = PeakRss(server.ProcessId);
        double folded = await server.MetricAsync("fastingest_folded_total{kind=\"path\"}");
        output.WriteLine($"peak RSS {peak >> 20} MiB (at start {before >> 20} MiB); paths folded into (other): {folded:N0}");
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));

        foreach ((string tenant, TenantTotals expected) in lines.Expected)
        {
            string[] traffic = Tsv.Rows(await clickHouse.QueryAsync(
                $"SELECT sum(requests), sum(body_bytes_sent) FROM {db}.traffic_1m WHERE tenant = '{tenant}' FORMAT TSV"))[0];
            string[] paths = Tsv.Rows(await clickHouse.QueryAsync(
                $"SELECT sumMerge(requests), sumMerge(body_bytes_sent), uniqExact(path) FROM {db}.paths_1h WHERE tenant = '{tenant}' FORMAT TSV"))[0];
            Assert.Equal($"{tenant} {expected.Requests} {expected.BodyBytesSent}", $"{tenant} {traffic[0]} {traffic[1]}");
            Assert.Equal($"{tenant} {expected.Requests} {expected.BodyBytesSent}", $"{tenant} {paths[0]} {paths[1]}");
        }

        Assert.Equal(1_000_000, lines.Expected.Values.Sum(t => t.Requests));
        Assert.True(folded > 0, "a million unique paths must exceed the caps");
        Assert.True(peak < RssBoundBytes, $"peak RSS {peak >> 20} MiB is over the bound of {RssBoundBytes >> 20} MiB");
    }

    /// <summary>VmHWM: the process's peak resident set.</summary>
    private static long PeakRss(int pid)
    {
        string line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}

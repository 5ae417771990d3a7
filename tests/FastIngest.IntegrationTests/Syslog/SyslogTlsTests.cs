using System.Diagnostics;
using System.Text;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Syslog;

/// <summary>
/// Syslog over TLS (RFC 5425) on <c>FastIngest:Syslog:TlsPort</c>, from real TLS clients: OpenSSL's
/// s_client and a private rsyslog forwarding through its GnuTLS stream driver.
/// </summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class SyslogTlsTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    [Fact]
    public async Task NginxLinesSentThroughOpensslSClientAreCountedExactly()
    {
        string db = UniqueName.For("tls_openssl");
        using var certificate = new SelfSignedCertificate();
        int tlsPort = FreePorts.Tcp();
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, certificate.ServerArguments(tlsPort));
        const int Lines = 2_000;
        var lines = new NginxLines(seed: 50);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        var psi = new ProcessStartInfo("openssl") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // -quiet implies -ign_eof; -no_ign_eof makes the end of stdin end the session (close_notify, then exit).
        // -nocommands: with -no_ign_eof, s_client takes R, Q, k or K as a command
        // ("RENEGOTIATING"); it looks at the first byte of each read from stdin, which can fall anywhere in a frame.
        foreach (string arg in new[] { "s_client", "-connect", $"127.0.0.1:{tlsPort}", "-quiet", "-no_ign_eof", "-nocommands" })
        {
            psi.ArgumentList.Add(arg);
        }

        using Process client = Process.Start(psi) ?? throw new InvalidOperationException("openssl did not start");
        var clientOutput = new ProcessOutput(client);
        Stream stdin = client.StandardInput.BaseStream;
        try
        {
            for (int i = 0; i < Lines; i++)
            {
                await stdin.WriteAsync(SyslogFrames.OctetCounted(NginxLineBuilder.SyslogDatagram("blog", lines.Line("blog", now - i), withHostname: false)));
            }

            await stdin.FlushAsync();
            stdin.Close();
        }
        catch (IOException broken)
        {
            await client.WaitForExitAsync();
            throw new IOException($"openssl s_client ended early (exit {client.ExitCode}): {clientOutput}\nserver: {server.Output}", broken);
        }
        using (var exit = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await client.WaitForExitAsync(exit.Token);
        }

        output.WriteLine(clientOutput.ToString());
        await Eventually.UntilAsync(server.HealthAsync, h => h.Tcp("messages") >= Lines, TimeSpan.FromSeconds(60), $"{Lines} messages over TLS");
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        output.WriteLine(server.Output);

        Assert.Equal(Lines, await TrafficTotals.RequestsAsync(clickHouse, db));
        await TrafficTotals.AssertAsync(clickHouse, db, lines.Expected);
        Assert.Equal("0", (await clickHouse.QueryAsync($"SELECT count() FROM {db}.ingest_errors FORMAT TSV")).Trim());
    }

    [Fact]
    public async Task RsyslogForwardingNginxDatagramsOverTlsDeliversEachExactlyOnce()
    {
        string db = UniqueName.For("tls_rsyslog");
        using var certificate = new SelfSignedCertificate();
        int tlsPort = FreePorts.Tcp();
        // The corpus is real NGINX lines of 2026-11-22: they must count however long ago that was.
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, [ServerProcess.AnyLateness, .. certificate.ServerArguments(tlsPort)]);
        await using RsyslogRelay relay = await RsyslogRelay.StartAsync(tlsPort, tlsCaFile: certificate.CertificatePath);
        const int Rounds = 20;
        var expected = new Dictionary<string, TenantTotals>();
        for (int round = 0; round < Rounds; round++)
        {
            for (int i = 0; i < Corpus.Datagrams.Length; i++)
            {
                string tenant = Corpus.TenantOf(i);
                (expected.TryGetValue(tenant, out TenantTotals? totals) ? totals : expected[tenant] = new TenantTotals())
                    .AddJsonLine(Encoding.UTF8.GetString(Corpus.JsonLineOf(i)));
            }
        }

        await relay.SendLinesAsync(Enumerable.Range(0, Rounds).SelectMany(_ => Corpus.Datagrams));

        long messages = (long)Rounds * Corpus.Datagrams.Length;
        await Eventually.UntilAsync(server.HealthAsync, h => h.Tcp("messages") >= messages, TimeSpan.FromSeconds(60),
            $"{messages} messages forwarded over TLS (rsyslogd said: {relay.Output})");
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        output.WriteLine(server.Output);
        output.WriteLine(relay.Output);

        await TrafficTotals.AssertAsync(clickHouse, db, expected);
        Assert.Equal("0", (await clickHouse.QueryAsync($"SELECT count() FROM {db}.ingest_errors FORMAT TSV")).Trim());
    }
}

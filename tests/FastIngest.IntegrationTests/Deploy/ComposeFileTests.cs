using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Text.RegularExpressions;
using FastIngest.Core.ClickHouse;
using FastIngest.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace FastIngest.IntegrationTests.Deploy;

/// <summary>
/// Issue 19, item 4: docker-compose.cluster.yml (and docker-compose.yml) is a valid compose file (checked by the compose client; no
/// engine needed), mounts files that exist, and gives every FastIngest node shards that bind and validate as
/// FastIngest's own settings and name the compose file's ClickHouse servers.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class ComposeFileTests
{
    private const string File = "docker-compose.cluster.yml";

    private static readonly Lazy<Task<bool>> s_plugin = new(PluginAvailableAsync);

    [Theory]
    [InlineData("docker-compose.yml")]
    [InlineData(File)]
    public async Task TheComposeFilesAreValid(string file)
    {
        (int exit, string output) = await ComposeAsync(file, "config", "-q");
        Assert.True(exit == 0, $"compose config refused {file}:\n{output}");
    }

    [Fact]
    public async Task TheClusterComposeFileHasEveryService()
    {
        (int exit, string output) = await ComposeAsync(File, "config", "--services");
        Assert.Equal(0, exit);
        Assert.Equal(
            ["balancer", "ch-0-0", "ch-0-1", "ch-1-0", "ch-1-1", "fastingest-1", "fastingest-2", "keeper"],
            output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task EveryNodesShardsBindAsFastIngestSettingsAndNameTheClusterServers()
    {
        (int exit, string rendered) = await ComposeAsync(File, "config");
        Assert.True(exit == 0, rendered);
        string text = await System.IO.File.ReadAllTextAsync(RepoPaths.Combine(File));

        // What compose hands each node, as FastIngest reads its environment (__ is the section separator).
        var settings = EnvironmentLine().Matches(rendered)
            .Select(m => KeyValuePair.Create(m.Groups["key"].Value.Replace("__", ":", StringComparison.Ordinal), (string?)m.Groups["value"].Value.Trim('\'', '"')))
            .DistinctBy(p => p.Key)
            .ToList();
        var options = new ClickHouseOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(ClickHouseOptions.SectionName).Bind(options);
        var errors = new List<ValidationResult>();
        Assert.True(Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true), string.Join('\n', errors));

        Assert.Equal(
            ["http://ch-0-0:8123/ http://ch-0-1:8123/", "http://ch-1-0:8123/ http://ch-1-1:8123/"],
            options.Shards.Select(s => string.Join(' ', s.Replicas)));
        Assert.Equal("fastingest", options.Cluster);
        Assert.Equal("fastingest_local", options.LocalDatabase);

        // The servers' remote_servers lists the same replicas, shard by shard, as the nodes' Shards.
        string cluster = await System.IO.File.ReadAllTextAsync(RepoPaths.Combine("deploy", "cluster", "clickhouse", "cluster.xml"));
        Assert.Contains($"<{options.Cluster}>", cluster, StringComparison.Ordinal);
        Assert.Equal(
            options.Shards.Select(s => string.Join(' ', s.Replicas.Select(r => r.Host))),
            ShardElement().Matches(cluster).Select(m => string.Join(' ', ReplicaHost().Matches(m.Value).Select(h => h.Groups[1].Value))));

        // Every file the compose file mounts is in the repository.
        foreach (Match mount in MountedFile().Matches(text))
        {
            Assert.True(System.IO.File.Exists(RepoPaths.Combine(mount.Groups[1].Value)), $"{File} mounts {mount.Groups[1].Value}, which is missing");
        }
    }

    /// <summary>Runs the compose client on the file: the docker CLI's plugin, or Debian's docker-compose (test.sh installs it).</summary>
    private static async Task<(int Exit, string Output)> ComposeAsync(string file, params string[] args)
    {
        ProcessStartInfo psi;
        if (await s_plugin.Value)
        {
            psi = new ProcessStartInfo("docker");
            psi.ArgumentList.Add("compose");
        }
        else
        {
            string? standalone = new[] { "/usr/bin/docker-compose", "/usr/local/bin/docker-compose" }.FirstOrDefault(System.IO.File.Exists)
                ?? throw new InvalidOperationException("no compose client: neither `docker compose` nor docker-compose (`apt-get install docker-compose`; test.sh installs it)");
            psi = new ProcessStartInfo(standalone);
        }

        psi.ArgumentList.Add("-f");
        psi.ArgumentList.Add(RepoPaths.Combine(file));
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        return await RunAsync(psi);
    }

    private static async Task<bool> PluginAvailableAsync()
    {
        try
        {
            var psi = new ProcessStartInfo("docker");
            psi.ArgumentList.Add("compose");
            psi.ArgumentList.Add("version");
            return (await RunAsync(psi)).Exit == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // no docker CLI at all
        }
    }

    private static async Task<(int Exit, string Output)> RunAsync(ProcessStartInfo psi)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        psi.WorkingDirectory = RepoPaths.Root;
        using Process process = Process.Start(psi) ?? throw new InvalidOperationException($"{psi.FileName} did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex(@"^\s*(?<key>FastIngest__ClickHouse__\w+):\s*(?<value>\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex EnvironmentLine();

    [GeneratedRegex(@"<shard>.*?</shard>", RegexOptions.Singleline)]
    private static partial Regex ShardElement();

    [GeneratedRegex(@"<host>([^<]+)</host>")]
    private static partial Regex ReplicaHost();

    [GeneratedRegex(@"-\s+\./([^:\s]+):")]
    private static partial Regex MountedFile();
}

using System.Globalization;
using System.Text;
using FastIngest.Core.ClickHouse;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>
/// A ClickHouse cluster of private 18.16 servers on loopback (issue 19): shards of one or more replicas, each
/// server a <see cref="PrivateClickHouse"/> whose <c>config.d</c> names the cluster <c>fastingest</c> in
/// <c>remote_servers</c>, its own <c>{shard}</c> and <c>{replica}</c> macros and, when given one, a
/// <see cref="PrivateZooKeeper"/> (replicated tables, ON CLUSTER). Tests isolate themselves by database
/// names, as with one server.
/// </summary>
public sealed class PrivateClickHouseCluster : IAsyncDisposable
{
    public const string Name = "fastingest";

    private PrivateClickHouseCluster(IReadOnlyList<IReadOnlyList<PrivateClickHouse>> shards) => Shards = shards;

    /// <summary>The servers, shard by shard, replica by replica.</summary>
    public IReadOnlyList<IReadOnlyList<PrivateClickHouse>> Shards { get; }

    public IEnumerable<PrivateClickHouse> Servers => Shards.SelectMany(s => s);

    /// <summary>Starts <paramref name="replicasPerShard"/>.Length shards of that many replicas each (in parallel).</summary>
    public static async Task<PrivateClickHouseCluster> StartAsync(int[] replicasPerShard, PrivateZooKeeper? zooKeeper = null)
    {
        var ports = replicasPerShard.Select(n => Enumerable.Range(0, n).Select(_ => (Http: FreePorts.Tcp(), Tcp: FreePorts.Tcp(), Inter: FreePorts.Tcp())).ToList()).ToList();
        string remoteServers = RemoteServers(ports.Select(s => s.Select(r => r.Tcp)));
        var shards = new List<IReadOnlyList<PrivateClickHouse>>();
        for (int shard = 0; shard < ports.Count; shard++)
        {
            var replicas = new List<PrivateClickHouse>();
            for (int replica = 0; replica < ports[shard].Count; replica++)
            {
                (int http, int tcp, int inter) = ports[shard][replica];
                string config = string.Create(CultureInfo.InvariantCulture, $"""
                    <?xml version="1.0"?>
                    <yandex>
                    {remoteServers}
                        <macros><shard>{shard}</shard><replica>r{shard}-{replica}</replica></macros>
                    {ZooKeeperConfig(zooKeeper)}
                    </yandex>
                    """);
                replicas.Add(new PrivateClickHouse(http, tcp, inter, config));
            }

            shards.Add(replicas);
        }

        var cluster = new PrivateClickHouseCluster(shards);
        try
        {
            await Task.WhenAll(cluster.Servers.Select(s => s.InitializeAsync()));
            if (zooKeeper is not null)
            {
                // A server answers /ping before its ZooKeeper session is up; the first Replicated table
                // would fail on it.
                foreach (PrivateClickHouse server in cluster.Servers)
                {
                    await Eventually.UntilAsync(
                        () => ZooKeeperReachableAsync(server),
                        reachable => reachable,
                        TimeSpan.FromSeconds(60),
                        $"ClickHouse on {server.HttpPort} reaches ZooKeeper",
                        TimeSpan.FromMilliseconds(200));
                }
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>FastIngest's settings for this cluster: <c>Shards</c> as the servers' HTTP URLs.</summary>
    public ClickHouseOptions Options(string database, bool onCluster = false)
    {
        var options = new ClickHouseOptions
        {
            Url = Shards[0][0].HttpUri,
            Database = database,
            LocalDatabase = database + "_local",
            Cluster = Name,
            OnCluster = onCluster,
        };
        foreach (IReadOnlyList<PrivateClickHouse> replicas in Shards)
        {
            var shard = new ClickHouseShardOptions();
            foreach (PrivateClickHouse replica in replicas)
            {
                shard.Replicas.Add(replica.HttpUri);
            }

            options.Shards.Add(shard);
        }

        return options;
    }

    /// <summary>The same settings as server arguments (<c>--FastIngest:ClickHouse:Shards:0:Replicas:0=…</c>).</summary>
    public string[] ServerArguments()
    {
        var args = new List<string>();
        for (int shard = 0; shard < Shards.Count; shard++)
        {
            for (int replica = 0; replica < Shards[shard].Count; replica++)
            {
                args.Add(string.Create(CultureInfo.InvariantCulture, $"--FastIngest:ClickHouse:Shards:{shard}:Replicas:{replica}={Shards[shard][replica].HttpUri}"));
            }
        }

        return [.. args];
    }

    public async ValueTask DisposeAsync() =>
        await Task.WhenAll(Servers.Select(s => s.DisposeAsync()));

    private static async Task<bool> ZooKeeperReachableAsync(PrivateClickHouse server)
    {
        try
        {
            await server.QueryAsync("SELECT count() FROM system.zookeeper WHERE path = '/' FORMAT TSV");
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string RemoteServers(IEnumerable<IEnumerable<int>> tcpPortsByShard)
    {
        var xml = new StringBuilder();
        xml.Append("    <remote_servers>\n        <").Append(Name).Append(">\n");
        foreach (IEnumerable<int> replicas in tcpPortsByShard)
        {
            // The Replicated tables copy a shard's rows between its replicas; a Distributed insert
            // (FastIngest makes none) would otherwise write every replica itself.
            xml.Append("            <shard>\n                <internal_replication>true</internal_replication>\n");
            foreach (int port in replicas)
            {
                xml.Append(CultureInfo.InvariantCulture, $"                <replica><host>127.0.0.1</host><port>{port}</port></replica>\n");
            }

            xml.Append("            </shard>\n");
        }

        return xml.Append("        </").Append(Name).Append(">\n    </remote_servers>").ToString();
    }

    private static string ZooKeeperConfig(PrivateZooKeeper? zooKeeper) => zooKeeper is null
        ? ""
        : string.Create(CultureInfo.InvariantCulture, $"""
                <zookeeper><node><host>127.0.0.1</host><port>{zooKeeper.Port}</port></node></zookeeper>
                <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
            """);
}

using System.Net;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;

namespace FastIngest.Core.ClickHouse;

/// <summary>
/// Builds the ClickHouse.Driver client for our settings. Only its raw paths are used
/// (<c>PostStreamAsync</c>, <c>ExecuteNonQueryAsync</c>, <c>ExecuteRawResultAsync</c>): its typed reader
/// and bulk copy need RowBinaryWithNamesAndTypes, which ClickHouse 18.16 does not have.
/// </summary>
internal static class ClickHouseClients
{
    public static ClickHouseClient CreateClient(ClickHouseOptions options) => CreateClient(options, replicas: null);

    /// <summary>A client for the one server at <paramref name="url"/> (a replica of a shard) with the rest of <paramref name="options"/>.</summary>
    public static ClickHouseClient CreateClient(ClickHouseOptions options, Uri url) => CreateClient(options, [url]);

    /// <summary>
    /// A client for one shard of a cluster: requests go to the first of <paramref name="replicas"/> and move
    /// to the next on a connection failure (<see cref="ReplicaFailover"/>). Null: <see cref="ClickHouseOptions.Url"/> only.
    /// </summary>
    public static ClickHouseClient CreateClient(ClickHouseOptions options, IReadOnlyList<Uri>? replicas) => CreateClient(options, replicas, out _);

    /// <summary>As <see cref="CreateClient(ClickHouseOptions, IReadOnlyList{Uri}?)"/>, with the failover it put in front (null for one replica).</summary>
    public static ClickHouseClient CreateClient(ClickHouseOptions options, IReadOnlyList<Uri>? replicas, out ReplicaFailover? failover)
    {
        // A shard's options carry its first replica as Url already (ClickHouseOptions.ForShard).
        Uri url = replicas is { Count: > 0 } ? replicas[0] : options.Url;
        var handler = new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        failover = replicas is { Count: > 1 } ? new ReplicaFailover(replicas, handler) : null;
        var settings = new ClickHouseClientSettings
        {
            Host = url.Host,
            Port = (ushort)url.Port,
            Protocol = url.Scheme,
            // A reverse proxy may publish ClickHouse under a path; the driver wants it without slashes.
            Path = url.AbsolutePath.Trim('/'),
            Username = options.User,
            Password = options.Password,
            UseCompression = options.Compress,
            Timeout = options.Timeout,
            // 18.16 knows neither the JSON type nor its settings; these keep the driver from asking.
            JsonReadMode = JsonReadMode.None,
            JsonWriteMode = JsonWriteMode.None,
            HttpClient = new HttpClient(new OffSocketThreadHandler(failover ?? (HttpMessageHandler)handler)) { Timeout = options.Timeout },
        };
        return new ClickHouseClient(settings);
    }

    /// <summary>
    /// Runs one query (its SQL names its FORMAT) and returns the body as text; an error status throws
    /// <see cref="ClickHouseException"/> with ClickHouse's message.
    /// </summary>
    public static async Task<string> QueryTextAsync(this ClickHouseClient client, string sql, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await client.PostStreamAsync(sql, Stream.Null, isCompressed: false, cancellationToken).ConfigureAwait(false);
        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode ? body : throw new ClickHouseException((int)response.StatusCode, body);
    }
}

using ClickHouse.Driver;
using FastIngest.Core.Sinks.ClickHouse;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Events;

/// <summary>Reads for the HTTP API, on a client of their own so they never queue behind inserts.</summary>
internal sealed class ClickHouseQueries(IOptions<ClickHouseOptions> options) : IDisposable
{
    private readonly ClickHouseClient _client = ClickHouseConnection.CreateClient(options.Value);
    private readonly string _database = options.Value.Database;

    public Task<SiteStats> StatsAsync(string siteId, DateOnly? date, CancellationToken cancellationToken) =>
        SiteStats.QueryAsync(_client, _database, siteId, date, cancellationToken);

    public void Dispose() => _client.Dispose();
}

using ClickHouse.Driver;
using FastIngest.Core.ClickHouse;
using FastIngest.Core.Reading;
using FastIngest.Core.Reading.Dashboard;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Reading;

/// <summary>Reads for the HTTP API, on a client of their own so they never queue behind inserts.</summary>
internal sealed class ClickHouseQueries(IOptions<ClickHouseOptions> options) : IDisposable
{
    private readonly ClickHouseClient _client = ClickHouseClients.CreateClient(options.Value);
    private readonly string _database = options.Value.Database;

    public Task<SiteStats> StatsAsync(string siteId, DateOnly? date, CancellationToken cancellationToken) =>
        SiteStats.QueryAsync(_client, _database, siteId, date, cancellationToken);

    /// <summary>The dashboard's tenant list (<see cref="TenantList"/>).</summary>
    public Task<(IReadOnlyList<string> Tenants, bool Truncated)> TenantsAsync(string? prefix, int limit, CancellationToken cancellationToken) =>
        TenantList.QueryAsync(_client, _database, prefix, limit, cancellationToken);

    /// <summary>One dashboard panel (<see cref="DashboardPanels"/>).</summary>
    public Task<PanelTable> PanelAsync(string panel, PanelRequest request, CancellationToken cancellationToken) =>
        DashboardPanels.QueryAsync(_client, _database, panel, request, cancellationToken);

    /// <summary>True when ClickHouse answers a trivial query within <paramref name="timeout"/>.</summary>
    public async Task<bool> PingAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using HttpResponseMessage response = await _client.PostStreamAsync("SELECT 1 FORMAT TSV", Stream.Null, isCompressed: false, deadline.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Whatever the driver throws (refused, DNS, timeout, TLS), the answer is the same: not reachable.
            return false;
        }
    }

    public void Dispose() => _client.Dispose();
}

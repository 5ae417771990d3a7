using System.Globalization;
using Microsoft.Playwright;

namespace FastIngest.IntegrationTests.Dashboard;

/// <summary>The dashboard in a browser tab: opening a view, waiting for its data, reading what it shows.</summary>
internal sealed class DashboardPage(IPage page)
{
    public IPage Page { get; } = page;

    /// <summary>How many times the page has finished loading all its panels (the "last updated" mark counts).</summary>
    public Task<int> LoadsAsync() =>
        Page.EvaluateAsync<int>("() => Number(document.getElementById('updated').dataset.loads || 0)");

    /// <summary>Waits (no fixed sleep: the browser polls the condition) until a load after <paramref name="after"/> has finished.</summary>
    public async Task WaitForLoadAsync(int after = 0)
    {
        try
        {
            await Page.WaitForFunctionAsync("n => Number(document.getElementById('updated').dataset.loads || 0) > n", after,
                new PageWaitForFunctionOptions { Timeout = 30_000 });
        }
        catch (TimeoutException ex)
        {
            // What the page said instead (an API error, the key form) is the useful part of the failure.
            string said = await Page.EvaluateAsync<string>("() => document.getElementById('message').textContent");
            throw new TimeoutException($"the dashboard did not finish a load after {after} at {Page.Url}; its message: \"{said}\"", ex);
        }
    }

    public async Task OpenAsync(Uri server, string query)
    {
        await Page.GotoAsync(new Uri(server, query).ToString());
        await WaitForLoadAsync();
    }

    /// <summary>The [from, to) the page asked the API for, as it says on its "last updated" mark.</summary>
    public async Task<(DateTimeOffset From, DateTimeOffset To)> WindowAsync()
    {
        string[] window = await Page.EvaluateAsync<string[]>("() => { const d = document.getElementById('updated').dataset; return [d.from, d.to]; }");
        return (DateTimeOffset.Parse(window[0], CultureInfo.InvariantCulture), DateTimeOffset.Parse(window[1], CultureInfo.InvariantCulture));
    }

    /// <summary>A headline number: its exact value, the text shown, and its change against the previous period.</summary>
    public async Task<(string Value, string Text, string Change)> HeadlineAsync(string metric)
    {
        string[] parts = await Page.EvaluateAsync<string[]>(
            "m => { const c = document.querySelector(`[data-panel=summary] .card[data-metric=\"${m}\"]`); return c ? [c.querySelector('.value').dataset.value, c.querySelector('.value').textContent, c.querySelector('.change').dataset.value] : ['', '', '']; }",
            metric);
        return (parts[0], parts[1], parts[2]);
    }

    /// <summary>A number on a tenant's card of the "All tenants" overview: its exact value.</summary>
    public Task<string> CardAsync(string tenant, string metric) =>
        Page.EvaluateAsync<string>(
            "([t, m]) => { const b = document.querySelector(`.tenant-card[data-tenant=\"${t}\"] [data-metric=\"${m}\"]`); return b ? b.dataset.value : ''; }",
            new object[] { tenant, metric });

    /// <summary>The rows of a panel's table: each cell's exact value (data-value), in the page's order.</summary>
    public async Task<List<string>> RowsAsync(string panel, int columns)
    {
        string[][] rows = await Page.EvaluateAsync<string[][]>(
            "([p, n]) => [...document.querySelectorAll(`[data-panel=\"${p}\"] .table tbody tr`)].map(r => [...r.children].slice(0, n).map(c => c.dataset.value))",
            new object[] { panel, columns });
        return [.. rows.Select(r => string.Join('\t', r))];
    }

    /// <summary>The cells' shown texts of a panel's table (formatted numbers).</summary>
    public async Task<List<string>> TextsAsync(string panel) =>
        [.. await Page.EvaluateAsync<string[]>(
            "p => [...document.querySelectorAll(`[data-panel=\"${p}\"] .table tbody tr`)].map(r => [...r.children].map(c => c.textContent).join('\\t'))", panel)];
}

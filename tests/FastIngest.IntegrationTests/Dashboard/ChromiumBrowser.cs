using Microsoft.Playwright;

namespace FastIngest.IntegrationTests.Dashboard;

/// <summary>
/// One headless Debian chromium per test class, driven by Playwright: its own browser download cannot work
/// on these machines, so <see cref="BrowserTypeLaunchOptions.ExecutablePath"/> points at the apt package
/// (test.sh installs it). Each test opens its own context (cookies, sessionStorage) on it.
/// </summary>
public sealed class ChromiumBrowser : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: apt-get install -y chromium (test.sh does)");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // Root on CI: chromium's sandbox needs user namespaces it may not have; the pages are our own.
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
    }

    /// <summary>A fresh context in a fixed locale and size, so formatted numbers and screenshots are stable.</summary>
    public Task<IBrowserContext> NewContextAsync() => Browser.NewContextAsync(new BrowserNewContextOptions
    {
        Locale = "en-US",
        TimezoneId = "UTC",
        ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        AcceptDownloads = true,
    });

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

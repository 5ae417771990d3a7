namespace FastIngest.Core.Parsing.Agents;

/// <summary>
/// Who a bot is, where its agent names it. Grouped by <see cref="BotKind"/> in ranges (crawlers, then
/// headless browsers, libraries, monitors) so <see cref="UserAgentClassifier.KindOf"/> is two compares;
/// append a new family at the end of its range, and its name in <see cref="UserAgentNames"/>.
/// </summary>
internal enum BotFamily : byte
{
    None = 0,

    // Crawlers and link-preview fetchers.
    Google,
    Bing,
    Yandex,
    Baidu,
    DuckDuckGo,
    Apple,
    Facebook,
    Twitter,
    Slack,
    Discord,
    LinkedIn,
    Telegram,
    WhatsApp,
    Pinterest,
    Ahrefs,
    Semrush,
    Majestic,
    Moz,
    OpenAI,
    Anthropic,
    Perplexity,
    CommonCrawl,
    Petal,
    ByteDance,
    Amazon,
    Seznam,
    Sogou,
    Naver,
    Archive,
    DataForSeo,
    Scrapy,

    // Headless and automated browsers.
    HeadlessChrome,
    PhantomJS,
    Puppeteer,
    Playwright,
    Lighthouse,

    // HTTP libraries and command-line clients.
    Curl,
    Wget,
    PythonRequests,
    PythonUrllib,
    PythonHttpx,
    Aiohttp,
    GoHttpClient,
    OkHttp,
    Java,
    LibwwwPerl,
    Axios,
    NodeFetch,
    Undici,
    Postman,
    ApacheHttpClient,
    HTTPie,
    Guzzle,
    Dart,
    Reqwest,
    PowerShell,

    // Uptime and health checks.
    UptimeRobot,
    Pingdom,
    StatusCake,
    Site24x7,
    Datadog,
    NewRelic,
    KubeProbe,
    ElbHealthChecker,
    GoogleHealthCheck,
    BlackboxExporter,
    Zabbix,
    Nagios,
    UptimeKuma,
    BetterStack,

    /// <summary>A generic tell (<see cref="BotKind.Generic"/>) or no agent (<see cref="BotKind.NoAgent"/>).</summary>
    Unnamed,
}

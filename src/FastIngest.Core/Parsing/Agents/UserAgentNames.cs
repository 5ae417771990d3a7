namespace FastIngest.Core.Parsing.Agents;

/// <summary>
/// The stable short text of each value, as ClickHouse columns and cookbook queries will hold it.
/// Indexed arrays of interned literals: a lookup allocates nothing. Renaming one is a data migration.
/// </summary>
internal static class UserAgentNames
{
    private static readonly string[] s_browsers =
        ["other", "chrome", "edge", "firefox", "safari", "opera", "samsung", "uc", "yandex", "ie", "in_app"];

    private static readonly string[] s_os = ["other", "windows", "macos", "ios", "android", "linux", "chromeos"];

    private static readonly string[] s_devices = ["unknown", "desktop", "mobile", "tablet"];

    private static readonly string[] s_botKinds = ["", "crawler", "headless", "library", "monitor", "generic", "no_agent"];

    private static readonly string[] s_bots =
    [
        "",
        "google", "bing", "yandex", "baidu", "duckduckgo", "apple", "facebook", "twitter", "slack", "discord",
        "linkedin", "telegram", "whatsapp", "pinterest", "ahrefs", "semrush", "majestic", "moz", "openai",
        "anthropic", "perplexity", "commoncrawl", "petal", "bytedance", "amazon", "seznam", "sogou", "naver",
        "archive", "dataforseo", "scrapy",
        "headless_chrome", "phantomjs", "puppeteer", "playwright", "lighthouse",
        "curl", "wget", "python_requests", "python_urllib", "python_httpx", "aiohttp", "go_http_client", "okhttp",
        "java", "libwww_perl", "axios", "node_fetch", "undici", "postman", "apache_httpclient", "httpie", "guzzle",
        "dart", "reqwest", "powershell",
        "uptimerobot", "pingdom", "statuscake", "site24x7", "datadog", "newrelic", "kube_probe", "elb_healthchecker",
        "google_healthcheck", "blackbox_exporter", "zabbix", "nagios", "uptime_kuma", "betterstack",
        "unnamed",
    ];

    public static string Of(BrowserFamily value) => Lookup(s_browsers, (int)value);

    public static string Of(OsFamily value) => Lookup(s_os, (int)value);

    public static string Of(DeviceClass value) => Lookup(s_devices, (int)value);

    /// <summary>Empty for <see cref="BotKind.None"/>: the column's "not a bot".</summary>
    public static string Of(BotKind value) => Lookup(s_botKinds, (int)value);

    /// <summary>Empty for <see cref="BotFamily.None"/>.</summary>
    public static string Of(BotFamily value) => Lookup(s_bots, (int)value);

    // An out-of-range value (a cast integer) reads as the first entry rather than throwing on a hot path.
    private static string Lookup(string[] names, int index) => (uint)index < (uint)names.Length ? names[index] : names[0];
}

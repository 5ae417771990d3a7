using System.Text;

namespace FastIngest.Core.Parsing.Agents;

/// <summary>
/// Browser family and major version, OS family, device class and bot from the UTF-8 bytes of a
/// User-Agent header, with no allocation, regex or string: the NuGet mirror serves no parser package
/// (issue 18), and a parse per line must stay 0 B.
/// <para>
/// Order is the whole design, as in every classifier we read: GoAccess <c>src/browsers.c</c> (one list
/// searched top to bottom: Edge and Opera before Chrome, "Chrome has to go before Safari", crawlers
/// named before the generic ones), Plausible's ua_inspector (an Elixir port of Matomo's device-detector
/// YAML: bots first, then clients, OS, device; "Android without Mobile is a tablet"), and Umami
/// (detect-browser's ordered rules and the isbot list). Bots are found first, then the OS (iOS before
/// macOS: iOS agents say "like Mac OS X"; Android before Linux), then the browser in this order: Edge,
/// Opera, Samsung, UC, Yandex, IE, in-app, Firefox (and FxiOS), Chrome (and CriOS), Safari.
/// </para>
/// <para>
/// Known ambiguity: iPadOS 13+ Safari sends the desktop Macintosh agent (touch is only visible to
/// script), so it is macOS desktop here, as in Plausible. A bot keeps what its agent claims (Googlebot
/// smartphone reads as Chrome on Android, mobile) with <see cref="UserAgentClass.IsBot"/> set; counts
/// split bots out by that flag. Only the first <see cref="MaxScannedBytes"/> bytes are read, so a hostile
/// 8 KB agent costs what a long real one does.
/// </para>
/// </summary>
internal static partial class UserAgentClassifier
{
    /// <summary>Real agents run to ~400 bytes (in-app browsers); past this nothing is read.</summary>
    public const int MaxScannedBytes = 512;

    /// <summary>A version past this is not a browser's; the major reads 0 (unknown).</summary>
    public const int MaxMajorVersion = 9999;

    public static UserAgentClass Classify(ReadOnlySpan<byte> userAgent)
    {
        if (userAgent.Length > MaxScannedBytes)
        {
            userAgent = userAgent[..MaxScannedBytes];
        }

        ReadOnlySpan<byte> ua = userAgent.Trim((byte)' ');
        if (ua.IsEmpty || (ua.Length == 1 && ua[0] == '-'))
        {
            return new UserAgentClass(BrowserFamily.Other, 0, OsFamily.Other, DeviceClass.Unknown, BotKind.NoAgent, BotFamily.Unnamed);
        }

        // Byte for byte into chars (Latin-1 is total and keeps offsets) so the bot names can be searched
        // case-insensitively in one pass.
        Span<char> chars = stackalloc char[MaxScannedBytes];
        int widened = Encoding.Latin1.GetChars(ua, chars);
        BotFamily bot = FindBot(chars[..widened], out bool headlessTell);
        BotKind kind = headlessTell ? BotKind.Headless : KindOf(bot);

        OsFamily os = FindOs(ua, out DeviceClass device);
        BrowserFamily browser = FindBrowser(ua, os, out int major);
        if (device == DeviceClass.Unknown && browser != BrowserFamily.Other && os is OsFamily.Windows or OsFamily.MacOS or OsFamily.Linux or OsFamily.ChromeOS)
        {
            device = DeviceClass.Desktop;
        }

        return new UserAgentClass(browser, major, os, device, kind, bot);
    }

    private static OsFamily FindOs(ReadOnlySpan<byte> ua, out DeviceClass device)
    {
        device = DeviceClass.Unknown;
        bool mobileToken = ua.IndexOf("Mobile"u8) >= 0;

        // Windows Phone and KaiOS also say "Android" / "Linux"; they are neither.
        if (ua.IndexOf("Windows Phone"u8) >= 0 || ua.IndexOf("KAIOS"u8) >= 0 || ua.IndexOf("KaiOS"u8) >= 0)
        {
            device = DeviceClass.Mobile;
            return OsFamily.Other;
        }

        if (ua.IndexOf("iPad"u8) >= 0)
        {
            device = DeviceClass.Tablet;
            return OsFamily.IOS;
        }

        if (ua.IndexOf("iPhone"u8) >= 0 || ua.IndexOf("iPod"u8) >= 0)
        {
            device = DeviceClass.Mobile;
            return OsFamily.IOS;
        }

        if (ua.IndexOf("CrOS "u8) >= 0)
        {
            return OsFamily.ChromeOS;
        }

        if (ua.IndexOf("Android"u8) >= 0)
        {
            // Android phones say Mobile; tablets leave it out (Google's own advice to browser makers).
            // Only a browser's agent follows that advice, so an app's (Dalvik/...) stays unknown.
            device = mobileToken ? DeviceClass.Mobile : ua.StartsWith("Mozilla/"u8) ? DeviceClass.Tablet : DeviceClass.Unknown;
            return OsFamily.Android;
        }

        if (ua.IndexOf("Windows"u8) >= 0)
        {
            return OsFamily.Windows;
        }

        if (ua.IndexOf("Macintosh"u8) >= 0 || ua.IndexOf("Mac OS X"u8) >= 0)
        {
            return OsFamily.MacOS;
        }

        if (ua.IndexOf("Linux"u8) >= 0)
        {
            return OsFamily.Linux;
        }

        if (mobileToken)
        {
            device = DeviceClass.Mobile;
        }

        return OsFamily.Other;
    }

    private static BrowserFamily FindBrowser(ReadOnlySpan<byte> ua, OsFamily os, out int major)
    {
        major = 0;
        if (TryVersionAfter(ua, "Edg/"u8, ref major) || TryVersionAfter(ua, "EdgA/"u8, ref major)
            || TryVersionAfter(ua, "EdgiOS/"u8, ref major) || TryVersionAfter(ua, "Edge/"u8, ref major))
        {
            return BrowserFamily.Edge;
        }

        if (TryVersionAfter(ua, "OPR/"u8, ref major) || TryVersionAfter(ua, "OPiOS/"u8, ref major)
            || TryVersionAfter(ua, "OPT/"u8, ref major) || TryVersionAfter(ua, "Opera Mini/"u8, ref major))
        {
            return BrowserFamily.Opera;
        }

        if (ua.StartsWith("Opera/"u8) || ua.IndexOf("Opera "u8) >= 0)
        {
            // Presto Opera froze "Opera/9.80" and put the real version in Version/.
            _ = TryVersionAfter(ua, "Version/"u8, ref major) || TryVersionAfter(ua, "Opera/"u8, ref major);
            return BrowserFamily.Opera;
        }

        if (TryVersionAfter(ua, "SamsungBrowser/"u8, ref major))
        {
            return BrowserFamily.SamsungInternet;
        }

        if (TryVersionAfter(ua, "UCBrowser/"u8, ref major) || TryVersionAfter(ua, "UBrowser/"u8, ref major))
        {
            return BrowserFamily.UC;
        }

        if (TryVersionAfter(ua, "YaBrowser/"u8, ref major) || TryVersionAfter(ua, "YaSearchBrowser/"u8, ref major))
        {
            return BrowserFamily.Yandex;
        }

        if (TryVersionAfter(ua, "MSIE "u8, ref major))
        {
            return BrowserFamily.IE;
        }

        if (ua.IndexOf("Trident/"u8) >= 0)
        {
            _ = TryVersionAfter(ua, "rv:"u8, ref major);
            return BrowserFamily.IE;
        }

        // Web views inside apps: the Chrome or Safari version in them is the system's, not a choice a
        // visitor made; the app's own version is no browser version.
        if (ua.IndexOf("FBAN/"u8) >= 0 || ua.IndexOf("FBAV/"u8) >= 0 || ua.IndexOf("Instagram "u8) >= 0
            || ua.IndexOf("; wv)"u8) >= 0 || ua.IndexOf(" Line/"u8) >= 0 || ua.IndexOf("musical_ly"u8) >= 0
            || ua.IndexOf("Snapchat"u8) >= 0 || ua.IndexOf("GSA/"u8) >= 0)
        {
            return BrowserFamily.InApp;
        }

        if (TryVersionAfter(ua, "FxiOS/"u8, ref major) || TryVersionAfter(ua, "Firefox/"u8, ref major))
        {
            return BrowserFamily.Firefox;
        }

        // Brave, Vivaldi and Arc send Chrome's agent; HeadlessChrome is Chrome (and a bot, found above).
        if (TryVersionAfter(ua, "CriOS/"u8, ref major) || TryVersionAfter(ua, "Chrome/"u8, ref major)
            || TryVersionAfter(ua, "HeadlessChrome/"u8, ref major) || TryVersionAfter(ua, "Chromium/"u8, ref major))
        {
            return BrowserFamily.Chrome;
        }

        if (os is OsFamily.IOS or OsFamily.MacOS && ua.IndexOf("AppleWebKit/"u8) >= 0)
        {
            if (ua.IndexOf("Safari/"u8) >= 0)
            {
                _ = TryVersionAfter(ua, "Version/"u8, ref major);
                return BrowserFamily.Safari;
            }

            // WKWebView in an iOS app: AppleWebKit and Mobile/, no Safari token.
            if (os == OsFamily.IOS)
            {
                return BrowserFamily.InApp;
            }
        }

        return BrowserFamily.Other;
    }

    /// <summary>
    /// True when <paramref name="token"/> occurs; <paramref name="major"/> then holds the digits right after
    /// it (0 when none, or more than <see cref="MaxMajorVersion"/>).
    /// </summary>
    private static bool TryVersionAfter(ReadOnlySpan<byte> ua, ReadOnlySpan<byte> token, ref int major)
    {
        int at = ua.IndexOf(token);
        if (at < 0)
        {
            return false;
        }

        int value = 0;
        for (int i = at + token.Length; i < ua.Length && (uint)(ua[i] - '0') <= 9; i++)
        {
            value = (value * 10) + (ua[i] - '0');
            if (value > MaxMajorVersion)
            {
                value = 0;
                break;
            }
        }

        major = value;
        return true;
    }
}

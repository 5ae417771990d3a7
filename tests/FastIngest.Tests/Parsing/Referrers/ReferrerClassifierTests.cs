using System.Text;
using FastIngest.Core.Parsing.Referrers;

namespace FastIngest.Tests.Parsing.Referrers;

public sealed class ReferrerClassifierTests
{
    // The tenant serves www.mysite.test (the request's Host header) and configures shop.example.com and
    // example.org:8443 as its own.
    private const string RequestHost = "WWW.MySite.test:443";
    private static readonly System.Buffers.SearchValues<byte> s_notInAHost = System.Buffers.SearchValues.Create("/?#@ %\\"u8);
    private static readonly OwnHosts s_own = new(["shop.example.com", "Example.org:8443", "www.blog.example.net."]);

    // referrer | host | group | name. Real referrers as browsers and apps send them (Google and Bing send
    // only the origin since 2020's strict-origin-when-cross-origin default; older clients send the path).
    private const string Table = """
        https://www.google.com/ | google.com | search | Google
        https://www.google.de/ | google.de | search | Google
        https://www.google.co.uk/ | google.co.uk | search | Google
        https://www.google.com.br/ | google.com.br | search | Google
        https://www.google.co.jp/ | google.co.jp | search | Google
        https://www.google.fr/ | google.fr | search | Google
        https://www.google.com.au/ | google.com.au | search | Google
        https://www.google.co.in/ | google.co.in | search | Google
        https://www.google.com.tr/ | google.com.tr | search | Google
        https://www.google.ru/ | google.ru | search | Google
        https://www.google.com.mx/ | google.com.mx | search | Google
        https://www.google.co.za/ | google.co.za | search | Google
        https://www.google.ca/ | google.ca | search | Google
        https://www.google.it/search?q=ricetta+carbonara&hl=it | google.it | search | Google
        http://www.google.es/url?sa=t&rct=j&q=&esrc=s&source=web&cd=1 | google.es | search | Google
        https://google.com/ | google.com | search | Google
        https://news.google.com/ | news.google.com | search | Google
        https://scholar.google.de/ | scholar.google.de | search | Google
        android-app://com.google.android.googlequicksearchbox/ | com.google.android.googlequicksearchbox | search | Google
        android-app://com.google.android.googlequicksearchbox/https/www.google.com | com.google.android.googlequicksearchbox | search | Google
        https://www.bing.com/ | bing.com | search | Bing
        https://www.bing.com/search?q=fastingest&form=QBLH | bing.com | search | Bing
        https://cn.bing.com/ | cn.bing.com | search | Bing
        https://duckduckgo.com/ | duckduckgo.com | search | DuckDuckGo
        https://html.duckduckgo.com/ | html.duckduckgo.com | search | DuckDuckGo
        https://yandex.ru/ | yandex.ru | search | Yandex
        https://yandex.com.tr/ | yandex.com.tr | search | Yandex
        https://yandex.kz/search/?text=x | yandex.kz | search | Yandex
        https://ya.ru/ | ya.ru | search | Yandex
        https://www.baidu.com/link?url=abc | baidu.com | search | Baidu
        https://m.baidu.com/ | m.baidu.com | search | Baidu
        https://www.ecosia.org/ | ecosia.org | search | Ecosia
        https://search.yahoo.com/ | search.yahoo.com | search | Yahoo!
        https://uk.search.yahoo.com/ | uk.search.yahoo.com | search | Yahoo!
        https://search.brave.com/ | search.brave.com | search | Brave
        https://www.startpage.com/ | startpage.com | search | Startpage
        https://www.qwant.com/ | qwant.com | search | Qwant
        https://kagi.com/ | kagi.com | search | Kagi
        https://search.naver.com/search.naver?query=x | search.naver.com | search | Naver
        https://search.seznam.cz/ | search.seznam.cz | search | Seznam
        https://www.so.com/ | so.com | search | 360 Search
        https://www.perplexity.ai/ | perplexity.ai | search | Perplexity
        https://chatgpt.com/ | chatgpt.com | search | ChatGPT
        https://www.facebook.com/ | facebook.com | social | Facebook
        https://m.facebook.com/ | m.facebook.com | social | Facebook
        https://l.facebook.com/l.php?u=https%3A%2F%2Fmysite.test%2F&h=AT0 | l.facebook.com | social | Facebook
        https://lm.facebook.com/ | lm.facebook.com | social | Facebook
        http://fb.me/abc | fb.me | social | Facebook
        https://t.co/AbC123xyz | t.co | social | X
        https://twitter.com/ | twitter.com | social | X
        https://mobile.twitter.com/ | mobile.twitter.com | social | X
        https://x.com/someone/status/1 | x.com | social | X
        https://www.linkedin.com/ | linkedin.com | social | LinkedIn
        https://lnkd.in/eXyZ | lnkd.in | social | LinkedIn
        android-app://com.linkedin.android/ | com.linkedin.android | social | LinkedIn
        https://www.reddit.com/ | reddit.com | social | Reddit
        https://old.reddit.com/r/dotnet/comments/1 | old.reddit.com | social | Reddit
        https://out.reddit.com/t3_abc | out.reddit.com | social | Reddit
        https://news.ycombinator.com/ | news.ycombinator.com | social | Hacker News
        https://news.ycombinator.com/item?id=41000000 | news.ycombinator.com | social | Hacker News
        https://www.youtube.com/ | youtube.com | social | YouTube
        https://m.youtube.com/ | m.youtube.com | social | YouTube
        https://youtu.be/dQw4w9WgXcQ | youtu.be | social | YouTube
        https://www.instagram.com/ | instagram.com | social | Instagram
        https://l.instagram.com/?u=x | l.instagram.com | social | Instagram
        https://www.pinterest.com/ | pinterest.com | social | Pinterest
        https://www.pinterest.de/ | pinterest.de | social | Pinterest
        https://www.pinterest.co.uk/ | pinterest.co.uk | social | Pinterest
        https://pin.it/abc | pin.it | social | Pinterest
        https://www.tiktok.com/ | tiktok.com | social | TikTok
        https://vk.com/ | vk.com | social | VK
        https://t.me/channel | t.me | social | Telegram
        android-app://org.telegram.messenger/ | org.telegram.messenger | social | Telegram
        https://web.whatsapp.com/ | web.whatsapp.com | social | WhatsApp
        https://discord.com/ | discord.com | social | Discord
        https://www.threads.net/ | threads.net | social | Threads
        https://bsky.app/ | bsky.app | social | Bluesky
        https://mastodon.social/@someone | mastodon.social | social | Mastodon
        https://lobste.rs/ | lobste.rs | social | Lobsters
        https://mail.google.com/ | mail.google.com | email | Gmail
        https://mail.google.com/mail/u/0/ | mail.google.com | email | Gmail
        android-app://com.google.android.gm/ | com.google.android.gm | email | Gmail
        https://outlook.live.com/ | outlook.live.com | email | Outlook
        https://outlook.office.com/mail/inbox | outlook.office.com | email | Outlook
        https://mail.yahoo.com/ | mail.yahoo.com | email | Yahoo! Mail
        https://mail.proton.me/ | mail.proton.me | email | Proton Mail
        https://e.mail.ru/inbox/ | e.mail.ru | email | Mail.ru
        https://mail.yandex.ru/ | mail.yandex.ru | email | Yandex Mail
        https://app.fastmail.com/ | app.fastmail.com | email | Fastmail
        https://www.mysite.test/pricing | mysite.test | internal |
        https://mysite.test/ | mysite.test | internal |
        https://blog.mysite.test/post/1 | blog.mysite.test | internal |
        https://mysite.test:8080/a | mysite.test | internal |
        https://shop.example.com/cart | shop.example.com | internal |
        https://eu.shop.example.com/ | eu.shop.example.com | internal |
        https://www.shop.example.com/ | shop.example.com | internal |
        https://example.org/ | example.org | internal |
        http://user:secret@example.org:8443/x | example.org | internal |
        https://blog.example.net/ | blog.example.net | internal |
        https://example.com/ | example.com | other |
        https://notmysite.test/ | notmysite.test | other |
        https://mysite.test.evil.example/ | mysite.test.evil.example | other |
        https://shop.example.com.evil.example/ | shop.example.com.evil.example | other |
        https://www.example.net/some/path?email=a@b.c | example.net | other |
        https://google.evil.example/ | google.evil.example | other |
        https://google.example.com/ | google.example.com | other |
        https://notgoogle.com/ | notgoogle.com | other |
        https://fakefacebook.com/ | fakefacebook.com | other |
        https://facebook.com.phish.example/ | facebook.com.phish.example | other |
        https://yahoo.com/ | yahoo.com | other |
        https://github.com/dotnet/runtime | github.com | other |
        http://192.168.1.10/admin | 192.168.1.10 | other |
        http://10.0.0.1:8080/ | 10.0.0.1 | other |
        http://[2001:db8::1]:8080/a | [2001:db8::1] | other |
        http://[::1]/ | [::1] | other |
        https://user@www.news-site.example/article | news-site.example | other |
        https://user:password@news.example.co.uk:8443/story?id=1 | news.example.co.uk | other |
        https://xn--bcher-kva.example/ | xn--bcher-kva.example | other |
        https://www.xn--e1afmkfd.xn--p1ai/ | xn--e1afmkfd.xn--p1ai | other |
        https://www.google.xn--p1ai/ | google.xn--p1ai | search | Google
        https://bücher.example/ | bücher.example | other |
        https://WWW.BING.COM/ | bing.com | search | Bing
        https://www.bing.com./ | bing.com | search | Bing
        https://www/ | www | other |
        https://www./ | www | other |
        https://localhost:3000/ | localhost | other |
        android-app://com.example.app/ | com.example.app | other |
        ANDROID-APP://com.google.android.gm/ | com.google.android.gm | email | Gmail
        https://bad host.example/ |  | other |
        https://a%20b.example/ |  | other |
        https://a..b.example/ |  | other |
        https://.example/ |  | other |
        https://[zz::1]/ |  | other |
        https://[::1/ |  | direct |
        - |  | direct |
        (empty) |  | direct |
        (space) |  | direct |
        /relative/path?q=1 |  | direct |
        not a url |  | direct |
        https:///nohost |  | direct |
        https://user@/x |  | direct |
        javascript:alert(1) |  | direct |
        about:blank |  | direct |
        """;

    public static TheoryData<string, string, string, string> Rows()
    {
        var rows = new TheoryData<string, string, string, string>();
        foreach (string line in Table.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] parts = line.Split('|', StringSplitOptions.TrimEntries);
            string referrer = parts[0] switch { "(empty)" => "", "(space)" => "   ", _ => parts[0] };
            rows.Add(referrer, parts[1], parts[2], parts[3]);
        }

        return rows;
    }

    [Fact]
    public void TheTableHoldsAtLeastAHundredRealReferrers() => Assert.True(Rows().Count >= 100, Rows().Count.ToString(System.Globalization.CultureInfo.InvariantCulture));

    [Theory]
    [MemberData(nameof(Rows))]
    public void ClassifiesARealReferrer(string referrer, string expectedHost, string expectedGroup, string expectedName)
    {
        var host = new byte[ReferrerClassifier.MaxHostBytes];

        ReferrerSource source = ReferrerClassifier.Classify(Encoding.UTF8.GetBytes(referrer), Encoding.UTF8.GetBytes(RequestHost), s_own, host);

        Assert.Equal(expectedHost, Encoding.UTF8.GetString(host, 0, source.HostLength));
        Assert.Equal(expectedGroup, source.Group.ToString().ToLowerInvariant());
        Assert.Equal(expectedName, source.Name.Text);
        Assert.Equal(expectedName, Encoding.UTF8.GetString(source.Name.Utf8));
    }

    [Theory]
    [InlineData("https://www.mysite.test/", "", "other")]
    [InlineData("https://www.mysite.test/", "mysite.test", "internal")]
    [InlineData("https://www.mysite.test/", "MYSITE.TEST:8081", "internal")]
    [InlineData("https://mysite.test/", "www.mysite.test", "internal")]
    [InlineData("https://mysite.test/", "blog.mysite.test", "other")]
    [InlineData("https://[::1]:8080/", "[::1]:8081", "internal")]
    [InlineData("https://www.google.com/", "google.com", "internal")]
    public void TheRequestHostMakesItsOwnPagesInternal(string referrer, string requestHost, string expectedGroup)
    {
        var host = new byte[ReferrerClassifier.MaxHostBytes];

        ReferrerSource source = ReferrerClassifier.Classify(Encoding.UTF8.GetBytes(referrer), Encoding.UTF8.GetBytes(requestHost), OwnHosts.None, host);

        Assert.Equal(expectedGroup, source.Group.ToString().ToLowerInvariant());
    }

    [Fact]
    public void AHostLongerThanTheBufferIsDroppedNotCut()
    {
        var host = new byte[ReferrerClassifier.MaxHostBytes];
        byte[] referrer = Encoding.UTF8.GetBytes("https://" + new string('a', 300) + ".google.com/");

        ReferrerSource source = ReferrerClassifier.Classify(referrer, default, OwnHosts.None, host);

        Assert.Equal(ReferrerGroup.Direct, source.Group);
        Assert.Equal(0, source.HostLength);
    }

    [Fact]
    public void ClassifyingAllocatesNothing()
    {
        var host = new byte[ReferrerClassifier.MaxHostBytes];
        byte[][] referrers = [.. Rows().Select(r => Encoding.UTF8.GetBytes((string)r[0]))];
        byte[] requestHost = Encoding.UTF8.GetBytes(RequestHost);
        int sum = 0;
        foreach (byte[] referrer in referrers)
        {
            sum += ReferrerClassifier.Classify(referrer, requestHost, s_own, host).HostLength;
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            foreach (byte[] referrer in referrers)
            {
                sum += ReferrerClassifier.Classify(referrer, requestHost, s_own, host).HostLength;
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(sum > 0);
    }

    [Fact]
    public void RandomAndMutatedReferrersNeverThrowAndGiveABoundedLowercaseHost()
    {
        var random = new Random(18);
        byte[][] seeds = [.. Rows().Select(r => Encoding.UTF8.GetBytes((string)r[0]))];
        byte[] alphabet = "hts:/@?#[]:.%aZ09-_ wW\\é"u8.ToArray();
        var host = new byte[ReferrerClassifier.MaxHostBytes];
        byte[] requestHost = Encoding.UTF8.GetBytes(RequestHost);
        for (int i = 0; i < 200_000; i++)
        {
            byte[] referrer;
            if (random.Next(2) == 0)
            {
                // A real referrer with a few bytes flipped, cut or repeated.
                referrer = (byte[])seeds[random.Next(seeds.Length)].Clone();
                for (int m = random.Next(1, 4); m > 0 && referrer.Length > 0; m--)
                {
                    referrer[random.Next(referrer.Length)] = random.Next(3) == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)];
                }

                referrer = referrer[..random.Next(referrer.Length + 1)];
            }
            else
            {
                referrer = new byte[random.Next(0, 64)];
                for (int j = 0; j < referrer.Length; j++)
                {
                    referrer[j] = random.Next(8) == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)];
                }
            }

            ReferrerSource source = ReferrerClassifier.Classify(referrer, requestHost, s_own, host);

            string shown = Encoding.Latin1.GetString(referrer);
            Assert.InRange(source.HostLength, 0, ReferrerClassifier.MaxHostBytes);
            ReadOnlySpan<byte> kept = host.AsSpan(0, source.HostLength);
            Assert.True(kept.IndexOfAny(s_notInAHost) < 0, shown);
            Assert.False(kept.ContainsAnyInRange((byte)'A', (byte)'Z'), shown);
            Assert.False(kept.ContainsAnyInRange((byte)0, (byte)0x1F), shown);
            Assert.False(kept.StartsWith("www."u8), shown);
            Assert.True(kept.IsEmpty || kept[0] == '[' || kept.IndexOf((byte)':') < 0, shown);
            Assert.True(System.Text.Unicode.Utf8.IsValid(kept), shown);
            Assert.True(source.Group != ReferrerGroup.Direct || kept.IsEmpty, shown);
            Assert.True(source.Group is ReferrerGroup.Other or ReferrerGroup.Direct || !kept.IsEmpty, shown);
        }
    }
}

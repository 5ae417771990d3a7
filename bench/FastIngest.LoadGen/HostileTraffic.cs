using System.Globalization;
using System.Text;

namespace FastIngest.LoadGen;

/// <summary>
/// The traffic of issue 13's attacks, built from the same varied corpus lines as every other mode
/// (<see cref="Workload"/>), with the one field each attack abuses replaced: invented tenants, unique
/// long URIs, request times far outside the live window. Every name carries the run's id, so that a
/// count in ClickHouse (<c>tenant LIKE 'prefix%'</c>) finds this run's traffic and nothing older.
/// </summary>
/// <remarks>Cold path: built before anything is sent.</remarks>
internal static class HostileTraffic
{
    /// <summary>A short lowercase id ([0-9a-f]) that makes this run's tenant names unique.</summary>
    public static string NewRunId() => Guid.NewGuid().ToString("N")[..6];

    /// <summary>The prefix of the invented tenants of a flood: <c>evil{run}x{i}</c>.</summary>
    public static string FloodPrefix(string runId) => "evil" + runId + "x";

    /// <summary>The prefix of the "real" tenants that arrive after the flood: <c>real{run}x{i}</c>.</summary>
    public static string RealPrefix(string runId) => "real" + runId + "x";

    /// <summary>
    /// <paramref name="count"/> pixel GETs, each for a tenant nobody configured
    /// (<c>GET /p/evil{run}x{i}/k.gif</c>), from one client address, as a script would send them.
    /// </summary>
    public static byte[][] InventedTenantPixels(Workload workload, string runId, int count)
    {
        Request[] traffic = workload.Requests(count, DateTimeOffset.UtcNow, TimeSpan.Zero);
        var requests = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            string tenant = FloodPrefix(runId) + i.ToString(CultureInfo.InvariantCulture);
            requests[i] = Encoding.ASCII.GetBytes(
                $"GET /p/{tenant}/k.gif HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: {traffic[i].Agent}\r\n\r\n");
        }

        return requests;
    }

    /// <summary>
    /// <paramref name="count"/> syslog messages whose tag (the tenant) and host are invented:
    /// the same flood through the syslog door.
    /// </summary>
    public static byte[][] InventedTenantSyslog(Workload workload, string runId, int count, DateTimeOffset now)
    {
        Request[] traffic = workload.Requests(count, now, TimeSpan.Zero);
        var messages = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            string tenant = FloodPrefix(runId) + "s" + i.ToString(CultureInfo.InvariantCulture);
            Request r = traffic[i] with { Tenant = tenant, Host = tenant + ".invalid" };
            messages[i] = Workload.SyslogDatagram(r, i);
        }

        return messages;
    }

    /// <summary>
    /// <paramref name="linesEach"/> ordinary NGINX lines for each of <paramref name="tenants"/> new
    /// tenants (<c>real{run}x{t}</c>), timed now: the customers who must still be counted.
    /// </summary>
    public static byte[][] RealTenantLines(Workload workload, string runId, int tenants, int linesEach, DateTimeOffset now)
    {
        Request[] traffic = workload.Requests(tenants * linesEach, now, TimeSpan.Zero);
        var messages = new byte[traffic.Length][];
        for (int i = 0; i < traffic.Length; i++)
        {
            string tenant = RealPrefix(runId) + (i % tenants).ToString(CultureInfo.InvariantCulture);
            messages[i] = Workload.SyslogDatagram(traffic[i] with { Tenant = tenant }, i);
        }

        return messages;
    }

    /// <summary>
    /// <paramref name="count"/> lines, each with its own URI of exactly <paramref name="uriBytes"/>
    /// bytes (<c>/u/{i:x8}/aaaa…</c>), spread round-robin over <paramref name="tags"/> tenants
    /// (<c>path{run}x{t}</c>): the path-table flood.
    /// </summary>
    public static byte[][] LongUriLines(Workload workload, string runId, int count, int tags, int uriBytes, DateTimeOffset now)
    {
        Request[] traffic = workload.Requests(count, now, TimeSpan.Zero);
        var messages = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            string tenant = "path" + runId + "x" + (i % tags).ToString(CultureInfo.InvariantCulture);
            messages[i] = Workload.SyslogDatagram(traffic[i] with { Tenant = tenant, Uri = LongUri(i, uriBytes), Args = "" }, i);
        }

        return messages;
    }

    /// <summary>A unique ASCII URI of exactly <paramref name="bytes"/> bytes (at least 12).</summary>
    public static string LongUri(int i, int bytes)
    {
        string head = "/u/" + i.ToString("x8", CultureInfo.InvariantCulture) + "/";
        return head + new string('a', Math.Max(0, bytes - head.Length));
    }

    /// <summary>
    /// The request times of the time-spread attack, each with a label that is also the tail of its
    /// tenant's name (<c>time{run}x{label}</c>), and whether a live door's default window
    /// ([now − 2 days, now + 5 minutes]) should count it.
    /// </summary>
    public static IReadOnlyList<(string Label, DateTimeOffset Time, bool InDefaultWindow)> SpreadTimes(DateTimeOffset now) =>
    [
        ("msec1", DateTimeOffset.FromUnixTimeMilliseconds(1000), false),
        ("y1974", new DateTimeOffset(1974, 6, 15, 12, 0, 0, TimeSpan.Zero), false),
        ("y2076", new DateTimeOffset(2076, 3, 1, 12, 0, 0, TimeSpan.Zero), false),
        ("late3d", now - TimeSpan.FromDays(3), false),
        ("ahead1h", now + TimeSpan.FromHours(1), false),
        ("late1d", now - TimeSpan.FromDays(1), true),
        ("now", now, true),
    ];

    /// <summary>The tenant that carries the lines of one <see cref="SpreadTimes"/> label.</summary>
    public static string SpreadTenant(string runId, string label) => "time" + runId + "x" + label;

    /// <summary><paramref name="linesEach"/> ordinary lines at each of <see cref="SpreadTimes"/>, each time under its own tenant.</summary>
    public static byte[][] TimeSpreadLines(Workload workload, string runId, int linesEach, DateTimeOffset now)
    {
        IReadOnlyList<(string Label, DateTimeOffset Time, bool InDefaultWindow)> times = SpreadTimes(now);
        Request[] traffic = workload.Requests(times.Count * linesEach, now, TimeSpan.Zero);
        var messages = new byte[traffic.Length][];
        for (int i = 0; i < traffic.Length; i++)
        {
            (string label, DateTimeOffset time, _) = times[i % times.Count];
            messages[i] = Workload.SyslogDatagram(traffic[i] with { Tenant = SpreadTenant(runId, label), Time = time }, i);
        }

        return messages;
    }
}

using System.Reflection;
using System.Text;

namespace FastIngest.Core.Parsing.Referrers;

/// <summary>
/// The search, social and email hosts of <c>sources.txt</c> (embedded at build), loaded once into two
/// frozen <see cref="Utf8KeyTable"/>s: exact hosts, and <c>label.*</c> patterns. A host is matched by its
/// longest listed suffix at a label boundary (<c>l.facebook.com</c> before <c>facebook.com</c>), so
/// <c>mail.google.com</c> is email and <c>news.google.com</c> search. Allocation-free per lookup.
/// </summary>
internal sealed class ReferrerSourceList
{
    private readonly Utf8KeyTable _exact;
    private readonly Utf8KeyTable _wildcard;
    private readonly ReferrerGroup[] _groups;
    private readonly ReferrerName[] _names;

    private ReferrerSourceList(Utf8KeyTable exact, Utf8KeyTable wildcard, ReferrerGroup[] groups, ReferrerName[] names)
    {
        _exact = exact;
        _wildcard = wildcard;
        _groups = groups;
        _names = names;
    }

    /// <summary>The list shipped in the assembly.</summary>
    public static ReferrerSourceList Default { get; } = Parse(ReadEmbedded());

    /// <summary>Number of listed hosts and patterns.</summary>
    public int Count => _groups.Length;

    /// <summary>
    /// Reads <c>host&lt;TAB&gt;group&lt;TAB&gt;name</c> lines; <c>#</c> starts a comment. A malformed line
    /// throws: the list is ours and a mistake in it should fail the build's tests, not hide.
    /// </summary>
    public static ReferrerSourceList Parse(string text)
    {
        var exact = new List<(byte[], int)>();
        var wildcard = new List<(byte[], int)>();
        var groups = new List<ReferrerGroup>();
        var names = new List<ReferrerName>();
        var shared = new Dictionary<string, ReferrerName>(StringComparer.Ordinal);
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            string[] parts = line.Split('\t');
            if (parts.Length != 3 || parts[0].Length == 0 || parts[2].Length == 0 || parts[0].AsSpan().ContainsAnyInRange('A', 'Z'))
            {
                throw new FormatException("sources.txt: expected lowercase host<TAB>group<TAB>name, got: " + line);
            }

            ReferrerGroup group = parts[1] switch
            {
                "search" => ReferrerGroup.Search,
                "social" => ReferrerGroup.Social,
                "email" => ReferrerGroup.Email,
                _ => throw new FormatException("sources.txt: unknown group in: " + line),
            };
            if (!shared.TryGetValue(parts[2], out ReferrerName? name))
            {
                name = new ReferrerName(parts[2]);
                shared.Add(parts[2], name);
            }

            string host = parts[0];
            if (host.EndsWith(".*", StringComparison.Ordinal))
            {
                wildcard.Add((Encoding.ASCII.GetBytes(host[..^2]), groups.Count));
            }
            else
            {
                exact.Add((Encoding.ASCII.GetBytes(host), groups.Count));
            }

            groups.Add(group);
            names.Add(name);
        }

        return new ReferrerSourceList(new Utf8KeyTable(exact), new Utf8KeyTable(wildcard), [.. groups], [.. names]);
    }

    /// <summary>
    /// Finds the listed source of <paramref name="host"/> (lowercase, without <c>www.</c>): the longest
    /// listed suffix that starts at a label boundary, or a <c>label.*</c> pattern at that boundary.
    /// </summary>
    public bool TryFind(ReadOnlySpan<byte> host, out ReferrerGroup group, out ReferrerName name)
    {
        ReadOnlySpan<byte> suffix = host;
        while (!suffix.IsEmpty)
        {
            int dot = suffix.IndexOf((byte)'.');
            if (_exact.TryGet(suffix, out int entry)
                || (dot > 0 && _wildcard.TryGet(suffix[..dot], out entry) && PublicSuffixShape.Matches(suffix[(dot + 1)..])))
            {
                group = _groups[entry];
                name = _names[entry];
                return true;
            }

            if (dot < 0)
            {
                break;
            }

            suffix = suffix[(dot + 1)..];
        }

        group = ReferrerGroup.Other;
        name = ReferrerName.None;
        return false;
    }

    private static string ReadEmbedded()
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("FastIngest.Core.referrer-sources.txt")
            ?? throw new InvalidOperationException("referrer-sources.txt is not embedded");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}

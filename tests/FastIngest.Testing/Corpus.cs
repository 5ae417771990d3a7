namespace FastIngest.Testing;

/// <summary>
/// The real NGINX 1.22 output in tests/data: access.json.log (one JSON line per request, raw bytes,
/// as NGINX wrote them) and syslog-udp.b64 (one base64 datagram per line; NGINX logs every request
/// twice there, tag=shop_example with the hostname, then tag=blog with nohostname, so datagram i
/// carries JSON line i / 2).
/// </summary>
internal static class Corpus
{
    public static byte[][] JsonLines { get; } = LoadJsonLines();

    public static byte[][] Datagrams { get; } = LoadDatagrams();

    /// <summary>The tag (tenant) of datagram <paramref name="datagram"/>: shop_example, then blog.</summary>
    public static string TenantOf(int datagram) => datagram % 2 == 0 ? "shop_example" : "blog";

    /// <summary>The JSON line datagram <paramref name="datagram"/> carries.</summary>
    public static byte[] JsonLineOf(int datagram) => JsonLines[datagram / 2];

    private static string DataFile(string name) => Path.Combine(AppContext.BaseDirectory, "data", name);

    private static byte[][] LoadJsonLines()
    {
        // Split bytes on LF rather than reading text: lines may hold bytes that are not valid UTF-8.
        byte[] file = File.ReadAllBytes(DataFile("access.json.log"));
        var lines = new List<byte[]>();
        int start = 0;
        for (int i = 0; i < file.Length; i++)
        {
            if (file[i] == '\n')
            {
                lines.Add(file[start..i]);
                start = i + 1;
            }
        }

        if (start < file.Length)
        {
            lines.Add(file[start..]);
        }

        return [.. lines];
    }

    private static byte[][] LoadDatagrams()
    {
        var datagrams = new List<byte[]>();
        foreach (string line in File.ReadAllLines(DataFile("syslog-udp.b64")))
        {
            if (line.Length > 0)
            {
                datagrams.Add(Convert.FromBase64String(line));
            }
        }

        return [.. datagrams];
    }
}

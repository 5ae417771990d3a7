namespace FastIngest.Core.Ingest;

/// <summary>Stable lowercase names of <see cref="IngestSource"/>, as stored in ClickHouse and metrics.</summary>
internal static class IngestSources
{
    private static readonly string[] s_names = ["udp", "tcp", "http", "file"];

    public static int Count => s_names.Length;

    public static string Name(IngestSource source) => s_names[(int)source];
}

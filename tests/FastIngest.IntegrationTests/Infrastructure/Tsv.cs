namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>Splits a TabSeparated result into rows of fields (tests only query numbers and plain names).</summary>
internal static class Tsv
{
    public static List<string[]> Rows(string body)
    {
        var rows = new List<string[]>();
        foreach (string line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            rows.Add(line.Split('\t'));
        }

        return rows;
    }
}

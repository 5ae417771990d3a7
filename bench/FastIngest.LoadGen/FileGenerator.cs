using System.Globalization;

namespace FastIngest.LoadGen;

/// <summary>Writes the generated traffic as a log file, for the bulk and import comparisons.</summary>
internal static class FileGenerator
{
    public static int Run(LoadGenOptions options)
    {
        if (options.Out is null || options.Count == long.MaxValue)
        {
            Console.Error.WriteLine("gen-file needs --out FILE and --count N");
            return 2;
        }

        var workload = new Workload(options.Tenants);
        Func<Request, byte[]> format = options.Format switch
        {
            "json" => r => Workload.JsonLine(r),
            "combined" => r => Workload.CombinedLine(r),
            "typed" => r => Workload.TypedRow(r),
            _ => throw new ArgumentException("--format json|combined|typed"),
        };

        using var file = new FileStream(options.Out, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 20);
        long bytes = 0;
        foreach (Request request in workload.Generate(options.Count, options.Start, options.Step))
        {
            byte[] line = format(request);
            file.Write(line);
            file.WriteByte((byte)'\n');
            bytes += line.Length + 1;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {options.Count:N0} {options.Format} lines ({bytes / 1048576.0:F1} MB) to {options.Out}"));
        return 0;
    }
}

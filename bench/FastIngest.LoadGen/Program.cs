using System.Globalization;
using System.Net;
using FastIngest.LoadGen;

// Load generator for FastIngest and its peers; see LoadGenOptions.Usage and bench/README.md.
if (!LoadGenOptions.TryParse(args, out LoadGenOptions options, out string error))
{
    Console.Error.WriteLine(error + "\n" + LoadGenOptions.Usage);
    return 2;
}

var target = new IPEndPoint(options.Host, options.Port);
switch (options.Mode)
{
    case "gen-file":
        return FileGenerator.Run(options);
    case "bare-udp":
        if (options.CountFile is null)
        {
            Console.Error.WriteLine("bare-udp needs --count-file FILE");
            return 2;
        }

        return BareUdpReceiver.Run(target, options.CountFile, options.Duration);
    case "scenario":
        return await HostileScenario.RunAsync(options);
    case "udp" or "tcp" or "pixel" or "ingest":
        break;
    default:
        Console.Error.WriteLine("unknown mode " + options.Mode + "\n" + LoadGenOptions.Usage);
        return 2;
}

// Enough distinct messages that every tenant appears, built before the clock starts; sending cycles them.
var workload = new Workload(options.Tenants);
int distinct = Math.Max(16_384, options.Tenants * 2);
Request[] traffic = workload.Requests(distinct, DateTimeOffset.UtcNow, TimeSpan.Zero);
ISender sender = options.Mode switch
{
    "udp" => new UdpSender(target, traffic.Select(Workload.SyslogDatagram).ToArray(), options.Connections),
    "tcp" => new TcpSyslogSender(target, traffic.Select(Workload.SyslogDatagram).ToArray(), options.Connections),
    "pixel" => new PixelSender(target, PixelSender.BuildRequests(traffic), options.Connections),
    _ => new IngestSender(target, traffic.Select(Workload.Event).ToArray(), options.Connections, options.Batch),
};

ICounter? counter = options switch
{
    { CountFile: { } file } => new CountFileCounter(file),
    { CountLines: { } file } => new LineFileCounter(file),
    { ClickHouse: { } url } => new ClickHouseCounter(url, ClickHouseCounter.QueryFor(options.Mode, options.Database)),
    _ => null,
};

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{options.Mode} → {target}: {distinct:N0} distinct messages, {options.Tenants:N0} tenants; counting {counter?.Describe ?? "nothing (no --clickhouse/--count-lines/--count-file)"}"));
var run = new LoadRun(sender, counter, options);
if (options.Search)
{
    (StepResult? best, List<StepResult> steps) = await run.SearchAsync();
    if (best is not { } b)
    {
        Console.WriteLine($"no loss-free step among {steps.Count}");
        Console.WriteLine($"RESULT mode={options.Mode} search=1 best_rate=0 steps={steps.Count}");
        return 1;
    }

    Console.WriteLine("highest loss-free: " + b.Describe(sender.Unit));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT search=1 best_rate={b.AchievedRate:F0} sender_limited={(run.SenderLimited ? 1 : 0)} steps={steps.Count} ") + b.Machine(options.Mode));
    return 0;
}

StepResult result = await run.StepAsync(options.Rate, options.Count, options.Duration);
Console.WriteLine(result.Describe(sender.Unit));
Console.WriteLine("RESULT " + result.Machine(options.Mode));
return 0;

using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using FastIngest.Core.Aggregation;
using FastIngest.Core.ClickHouse;
using FastIngest.Core.Ingest;
using FastIngest.Core.Parsing;
using FastIngest.Core.Sinks.ClickHouse;
using FastIngest.Server.Hosting;
using FastIngest.Server.Infrastructure;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Import;

/// <summary>
/// <c>FastIngest.Server import --format combined|json --tenant NAME FILE...</c>: counts historic access logs
/// (plain or .gz, oldest first) through the same parser, shards and sink as the live server, shows
/// progress on stderr and records what it imported, so a re-run adds nothing.
/// </summary>
internal static partial class ImportCommand
{
    private const string Usage = "usage: FastIngest.Server import --format combined|json|<a FastIngest:Formats name> --tenant NAME [--FastIngest:Key=Value ...] FILE...";
    private const int ReadBufferBytes = 1 << 20;

    /// <summary>The exit code after Ctrl+C or TERM (128 + SIGINT, as shells report it).</summary>
    private const int InterruptedExitCode = 130;

    // Batches queued per shard during an import. The reader outruns the parsers, so a few per shard keep
    // every core busy; more would only hold the file in memory (256 held ~45 MB of it on two shards;
    // issue 15: peak RSS of an import under 200 MB).
    private const int ImportChannelCapacity = 16;

    // The import's other bounds (issue 15): a shard flushes once it holds this many visitors (the
    // aggregate that grows with the line rate: ~130 B each from set to insert body), and waits once
    // this many flushes queue for ClickHouse, so a fast import pushes back on its reader instead of
    // piling rows up in memory.
    private const int ImportMaxVisitorsPerFlush = 65_536;
    private const int ImportMaxQueuedFlushes = 4;

    // Import owns EventIds 800-899 for its [LoggerMessage]s (none yet; it reports on stderr); next free: 800.

    /// <summary>Runs the command with the arguments after <c>import</c>; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (!TryParseArguments(args, out string format, out string tenant, out List<string> files, out string? error))
        {
            await Console.Error.WriteLineAsync(error + "\n" + Usage).ConfigureAwait(false);
            return 2;
        }

        // The same configuration as the server (appsettings.json, FastIngest__* variables, --FastIngest:* options)
        // and the same composition root, with a spool of its own so an import can run beside the server; a
        // later import replays what one left.
        IConfiguration configuration = CommandConfiguration.Build(args);
        ServiceCollection services = CommandConfiguration.Services();
        // History of any age: the live doors' time window is not the import's (issue 13, item 3).
        services.AddFastIngestCore(configuration, "spool-import", anyAge: true);
        services.PostConfigure<AggregationOptions>(o =>
        {
            o.ChannelCapacity = Math.Min(o.ChannelCapacity, ImportChannelCapacity);
            o.MaxVisitorsPerFlush = Math.Min(o.MaxVisitorsPerFlush, ImportMaxVisitorsPerFlush);
        });
        services.PostConfigure<ClickHouseOptions>(o => o.MaxQueuedBatches = Math.Min(o.MaxQueuedBatches, ImportMaxQueuedFlushes));
        await using ServiceProvider provider = services.BuildServiceProvider();
        ShardedClickHouseSink sink;
        IngestPipeline pipeline;
        ImportLedger ledger;
        try
        {
            provider.GetService<IStartupValidator>()?.Validate();
            ledger = new ImportLedger(provider.GetRequiredService<IOptions<StateOptions>>().Value.FullPath);
            sink = provider.GetRequiredService<ShardedClickHouseSink>();
            pipeline = provider.GetRequiredService<IngestPipeline>();
            if (format is not ("combined" or "json") && !pipeline.Formats.TryIndexOf(format, out _))
            {
                throw new StartupException($"--format {format}: no format '{format}' under FastIngest:Formats (or give combined or json)");
            }
        }
        catch (Exception ex) when (StartupFailure.TryDescribe(ex, out string message))
        {
            await Console.Error.WriteLineAsync("import cannot start: " + message).ConfigureAwait(false);
            return StartupFailure.ExitCode;
        }

        using var stop = new CancellationTokenSource();
        // Ctrl+C and TERM (a supervisor, or the parent passing either on) stop the import at a line's end.
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        CancellationToken cancellationToken = stop.Token;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        MessageKind kind = format switch { "combined" => MessageKind.CombinedLog, "json" => MessageKind.NginxJson, _ => MessageKind.CustomLog };
        byte[] tenantUtf8 = Encoding.UTF8.GetBytes(tenant);
        await sink.StartAsync(cancellationToken).ConfigureAwait(false);
        pipeline.Start();

        // One tenant per import: its batches go to every shard in turn, so parsing and counting use every core.
        ShardedBatchWriter writer = pipeline.CreateSpreadingWriter(IngestSource.File);
        writer.Format = pipeline.Formats.TryIndexOf(format, out byte custom) ? custom : (byte)0;
        var progress = new Progress(files.Sum(f => new FileInfo(f).Length));
        var done = new List<(string Path, byte[] Head, long Bytes)>();
        long lines = 0;
        string? interruptedIn = null;
        long interruptedAt = 0;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReadBufferBytes);
        try
        {
            foreach (string file in files)
            {
                (long fileLines, byte[] head, long bytes, long skipped, bool interrupted) = await ImportFileAsync(file, kind, tenantUtf8, tenant, format, ledger, writer, buffer, progress, cancellationToken).ConfigureAwait(false);
                lines += fileLines;
                if (skipped > 0)
                {
                    await Console.Error.WriteLineAsync($"{file}: {skipped.ToString("N0", CultureInfo.InvariantCulture)} bytes imported before, skipped").ConfigureAwait(false);
                }

                if (bytes > skipped)
                {
                    done.Add((file, head, bytes));
                }

                if (interrupted)
                {
                    interruptedIn = file;
                    interruptedAt = bytes;
                    break;
                }
            }

            // Not cancellable: an interrupted import still hands over, writes (or spools) and records what it
            // read, so running it again continues after the last whole line instead of counting it twice.
            await writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        await pipeline.StopAsync().ConfigureAwait(false);
        await sink.StopAsync(CancellationToken.None).ConfigureAwait(false);
        progress.Finish();

        long counted = pipeline.Shards.Sum(s => s.LinesCounted);
        long rejected = pipeline.Shards.Sum(s => s.Rejected);
        // Recorded once every line is in ClickHouse or in the spool, so running the import again never
        // counts a file twice: it skips the files and replays the spool.
        if (sink.RoundsDropped == 0)
        {
            foreach ((string path, byte[] head, long bytes) in done)
            {
                try
                {
                    ledger.Record(tenant, format, head, bytes, path);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // The lines are counted (in ClickHouse or the spool); only the record of it is missing, so
                    // the one thing the operator must know is not to import these files again as they are.
                    await Console.Error.WriteLineAsync(
                        $"the import ledger {ledger.Path} can't be written ({ex.Message}): {path} and the files after it are counted (in ClickHouse or the spool) " +
                        "but not recorded as imported; do not import them again, it would count them twice").ConfigureAwait(false);
                    return 1;
                }
            }
        }

        if (sink.LinesWritten != counted)
        {
            await Console.Error.WriteLineAsync(sink.RoundsDropped == 0
                ? string.Create(CultureInfo.InvariantCulture, $"ClickHouse took {sink.LinesWritten:N0} of {counted:N0} counted lines; the rest waits in {sink.SpoolDirectory}: run the same import again once ClickHouse answers (it skips the files and replays the spool)")
                : string.Create(CultureInfo.InvariantCulture, $"ClickHouse took {sink.LinesWritten:N0} of {counted:N0} counted lines and the spool {sink.SpoolDirectory} was full: {sink.DroppedByTenant.Values.Sum():N0} are lost; nothing recorded")).ConfigureAwait(false);
            return 1;
        }

        double seconds = progress.Elapsed.TotalSeconds;
        if (interruptedIn is not null)
        {
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"interrupted: imported {lines:N0} lines ({counted:N0} counted, {rejected:N0} rejected) in {seconds:F1} s, {interruptedIn} up to byte {interruptedAt:N0}; run the same import again to go on from there")).ConfigureAwait(false);
            return InterruptedExitCode;
        }


        await Console.Error.WriteLineAsync(lines == 0
            ? "nothing new to import: every file was imported before"
            : string.Create(CultureInfo.InvariantCulture,
                $"imported {lines:N0} lines ({counted:N0} counted, {rejected:N0} rejected, see fastingest.ingest_errors) from {done.Count} file(s) in {seconds:F1} s, {lines / Math.Max(seconds, 0.001):N0} lines/s")).ConfigureAwait(false);
        return 0;
    }

    /// <summary>Returns whether the file was read to its end or the import was interrupted (at a line's end).</summary>
    private static async Task<(long Lines, byte[] Head, long Bytes, long Skipped, bool Interrupted)> ImportFileAsync(
        string file, MessageKind kind, byte[] tenantUtf8, string tenant, string format, ImportLedger ledger,
        ShardedBatchWriter writer, byte[] buffer, Progress progress, CancellationToken cancellationToken)
    {
        await using FileStream raw = File.OpenRead(file);
        await using Stream content = file.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(raw, CompressionMode.Decompress) : raw;
        long position = 0;
        long lines = 0;
        int filled = 0;
        byte[] head = [];
        long skip = -1;
        long lastRaw = 0;
        long lastLines = 0;
        while (true)
        {
            int read = await content.ReadAsync(buffer.AsMemory(filled), CancellationToken.None).ConfigureAwait(false);
            filled += read;
            bool end = read == 0;
            if (skip < 0)
            {
                // The fingerprint needs the head of the content; a shorter file is its own head.
                if (filled < ImportLedger.FingerprintBytes && !end)
                {
                    continue;
                }

                head = buffer.AsSpan(0, Math.Min(filled, ImportLedger.FingerprintBytes)).ToArray();
                skip = ledger.ImportedBytes(tenant, format, head);
            }

            int consumed = writer.AddLines(kind, tenantUtf8, buffer.AsSpan(0, filled), final: end, (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds(), out int added, skipBefore: skip - position);
            lines += added;
            position += consumed;
            buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
            filled -= consumed;
            if (writer.HasSetAside)
            {
                await writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }

            progress.Add(raw.Position - lastRaw, lines - lastLines);
            lastRaw = raw.Position;
            lastLines = lines;
            if (end)
            {
                return (lines, head, position, Math.Max(0, skip), false);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C or TERM: stop after the last whole line handed over; position is where a re-run goes on.
                return (lines, head, position, Math.Max(0, skip), true);
            }

            if (filled == buffer.Length)
            {
                throw new InvalidDataException($"{file}: a line longer than {buffer.Length} bytes");
            }
        }
    }

    private static bool TryParseArguments(string[] args, out string format, out string tenant, out List<string> files, out string? error)
    {
        format = "";
        tenant = "";
        files = [];
        error = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--format" when i + 1 < args.Length:
                    format = args[++i];
                    break;
                case "--tenant" when i + 1 < args.Length:
                    tenant = args[++i];
                    break;
                default:
                    if (!args[i].StartsWith("--", StringComparison.Ordinal))
                    {
                        files.Add(args[i]);
                    }

                    break;
            }
        }

        if (format.Length == 0)
        {
            error = "--format must be combined, json or the name of a format under FastIngest:Formats";
        }
        else if (!NameRules.IsValid(Encoding.UTF8.GetBytes(tenant)))
        {
            error = "--tenant must be 1-64 characters of [A-Za-z0-9_.-]";
        }
        else if (files.Count == 0)
        {
            error = "no files given";
        }
        else if (files.Find(f => !File.Exists(f)) is { } missing)
        {
            error = $"no such file: {missing}";
        }

        // Oldest first: rotated logs (access.log.3.gz, .2.gz, .1, access.log) in the order they were written.
        files = [.. files.OrderBy(f => File.Exists(f) ? File.GetLastWriteTimeUtc(f) : DateTime.MinValue).ThenByDescending(f => f, StringComparer.Ordinal)];
        return error is null;
    }

    /// <summary>Lines, MB/s and ETA on stderr, redrawn twice a second when it is a terminal.</summary>
    private sealed class Progress(long totalBytes)
    {
        private readonly Stopwatch _watch = Stopwatch.StartNew();
        private long _bytes;
        private long _lines;
        private long _lastDraw;

        public TimeSpan Elapsed => _watch.Elapsed;

        public void Add(long bytes, long lines)
        {
            _bytes += bytes;
            _lines += lines;
            if (_watch.ElapsedMilliseconds - _lastDraw >= 500)
            {
                _lastDraw = _watch.ElapsedMilliseconds;
                Draw(final: false);
            }
        }

        public void Finish() => Draw(final: true);

        private void Draw(bool final)
        {
            double seconds = Math.Max(_watch.Elapsed.TotalSeconds, 0.001);
            double rate = _bytes / seconds;
            double eta = rate > 0 ? (totalBytes - _bytes) / rate : 0;
            string text = string.Create(CultureInfo.InvariantCulture,
                $"{_lines:N0} lines, {_bytes / 1e6:F1} of {totalBytes / 1e6:F1} MB, {rate / 1e6:F1} MB/s, ETA {Math.Max(0, eta):F0} s");
            // On a terminal the line is redrawn in place; in a log each draw is a line of its own.
            Console.Error.Write(Console.IsErrorRedirected ? text + "\n" : "\r" + text + (final ? "\n" : ""));
        }
    }
}

using System.Globalization;
using FastIngest.Core.ClickHouse;
using FastIngest.Core.Sinks.ClickHouse;
using FastIngest.Core.Sinks.Spool;
using FastIngest.Server.Hosting;
using FastIngest.Server.Infrastructure;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Operations;

/// <summary>
/// <c>FastIngest.Server spool retry [--import]</c>: sends the rounds of the spool's quarantine folder
/// (rounds ClickHouse refused for good) again, once an operator has fixed the cause; prints per round
/// <c>ok</c> or why not; a round ClickHouse still refuses stays. Exit 0 when every round was sent.
/// </summary>
/// <remarks>
/// <para>Exactly once: a quarantined round keeps its insert ids, and the retry sends it the way the
/// replay loop does (<see cref="LedgerSender"/>: inserts still running or already in
/// <c>insert_ledger</c> are not sent again), so a round whose other tables went in before it was set
/// aside, a retry that crashed after sending, or a second retry never count twice. An insert ClickHouse
/// refused goes under the id of its next generation (<see cref="InsertIds"/>), recorded in the note
/// before it is sent: the refused attempt may have left a ledger row without its data.</para>
/// <para>It may run while the server runs: it does not take the spool folder's lock (the server holds
/// it), only the quarantine's own <c>retry.lock</c>, so two retries never send the same round at once.
/// The server only adds files to the quarantine and never sends them; the retry only removes them.</para>
/// </remarks>
internal static class SpoolRetryCommand
{
    private const string Usage = "usage: FastIngest.Server spool retry [--import] [--FastIngest:Key=Value ...]\n" +
        "  re-sends the rounds in the spool's quarantine folder (the server's, or with --import the import command's)";

    /// <summary>Runs the command with the arguments after <c>spool</c>; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        string[] rest = args.Where(a => !a.StartsWith("--FastIngest:", StringComparison.Ordinal)).ToArray();
        bool import = rest.Contains("--import");
        if (rest.Length == 0 || rest[0] != "retry" || rest.Skip(1).Any(a => a != "--import"))
        {
            await Console.Error.WriteLineAsync(Usage).ConfigureAwait(false);
            return 2;
        }

        // The same configuration and composition root as the server and import; only options are resolved
        // (never the DiskSpool, whose lock the running server holds).
        IConfiguration configuration = CommandConfiguration.Build(args);
        ServiceCollection services = CommandConfiguration.Services();
        services.AddFastIngestCore(configuration, import ? "spool-import" : "spool");
        await using ServiceProvider provider = services.BuildServiceProvider();
        ClickHouseOptions clickHouse;
        string spoolDirectory;
        long maxBytes;
        try
        {
            clickHouse = provider.GetRequiredService<IOptions<ClickHouseOptions>>().Value;
            SpoolOptions spool = provider.GetRequiredService<IOptions<SpoolOptions>>().Value
                .WithDirectoryUnder(provider.GetRequiredService<IOptions<StateOptions>>().Value.FullPath, import ? "spool-import" : "spool");
            spoolDirectory = spool.Directory;
            maxBytes = spool.MaxBytes;
        }
        catch (Exception ex) when (StartupFailure.TryDescribe(ex, out string message))
        {
            await Console.Error.WriteLineAsync("spool retry cannot start: " + message).ConfigureAwait(false);
            return StartupFailure.ExitCode;
        }

        ILogger logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("FastIngest.Server.SpoolRetry");
        if (clickHouse.Shards.Count == 0)
        {
            return await RetryQuarantineAsync(clickHouse, null, spoolDirectory, maxBytes, clickHouse.ApplySchema, logger).ConfigureAwait(false);
        }

        // A cluster (issue 19): each shard quarantines in its own spool folder and its rounds go to its own
        // replicas' local tables. The schema is the server's to apply there (Replicated engines, Distributed).
        int exitCode = 0;
        for (int i = 0; i < clickHouse.Shards.Count; i++)
        {
            ClickHouseShardOptions shard = clickHouse.Shards[i];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"shard {i}:"));
            int shardExit = await RetryQuarantineAsync(
                clickHouse.ForShard(shard), shard.Replicas, ShardedClickHouseSink.ShardSpoolDirectory(spoolDirectory, i), maxBytes, applySchema: false, logger).ConfigureAwait(false);
            exitCode = Math.Max(exitCode, shardExit);
        }

        return exitCode;
    }

    /// <summary>Re-sends the rounds quarantined in <paramref name="spoolDirectory"/> to <paramref name="target"/>'s database.</summary>
    private static async Task<int> RetryQuarantineAsync(
        ClickHouseOptions target, IReadOnlyList<Uri>? replicas, string spoolDirectory, long maxBytes, bool applySchema, ILogger logger)
    {
        var quarantine = new RoundQuarantine(spoolDirectory, maxBytes);
        if (quarantine.List().Count == 0)
        {
            Console.WriteLine($"no quarantined rounds in {quarantine.Directory}");
            return 0;
        }

        using FileStream? retryLock = quarantine.TryLockForRetry();
        if (retryLock is null)
        {
            await Console.Error.WriteLineAsync($"another `spool retry` is running on {quarantine.Directory}; wait for it").ConfigureAwait(false);
            return 1;
        }

        // Listed under the lock: what the server quarantines from now on waits for the next retry.
        List<QuarantinedRound> rounds = quarantine.List();
        using ClickHouse.Driver.ClickHouseClient client = ClickHouseClients.CreateClient(target, replicas);
        var counters = new SinkCounters();
        // A shard's rounds are inserted as its sink inserts them (ClickHouseSink): with the deduplication
        // settings of a cluster's Replicated tables, which on 18.16 would otherwise drop a rollup block equal
        // to an earlier insert's.
        var inserter = new RowBinaryInserter(client, target.Database, counters, deduplicationTokens: replicas is not null);
        var sender = new LedgerSender(new InsertLedger(client, target.Database), inserter, counters, logger);
        if (applySchema)
        {
            // Idempotent (IF NOT EXISTS): brings back a table or view that was dropped by hand.
            try
            {
                await SchemaMigrator.ApplyAsync(client, target.Database, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                await Console.Error.WriteLineAsync("the schema could not be applied (" + ex.Message + "); trying the rounds anyway").ConfigureAwait(false);
            }
        }

        int sent = 0;
        using var round = new InsertRound();
        foreach (QuarantinedRound quarantined in rounds)
        {
            string? outcome = await RetryAsync(quarantined, round, sender).ConfigureAwait(false);
            if (outcome is null)
            {
                sent++;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"ok             {quarantined.Name}: {round.Lines} lines, {round.PixelHits} pixel hits, {round.Events} events"));
            }
            else
            {
                Console.WriteLine($"{outcome}");
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{sent} of {rounds.Count} quarantined round(s) sent; {rounds.Count - sent} left in {quarantine.Directory}"));
        return sent == rounds.Count ? 0 : 1;
    }

    /// <summary>Sends one round; null when ClickHouse has it all (then it is removed), else the line to print.</summary>
    private static async Task<string?> RetryAsync(QuarantinedRound quarantined, InsertRound round, LedgerSender sender)
    {
        try
        {
            if (!round.TryReadFrom(RoundQuarantine.Read(quarantined)))
            {
                return $"unreadable     {quarantined.Name}: not a round this version can read; left in place";
            }

            // At the generations of its note: an insert ClickHouse refused goes under an id no refused
            // attempt used, so the ledger's answer about it is the truth (InsertIds). A note of an older
            // version names only the refused table: its move is saved before anything is sent.
            if (RoundQuarantine.ApplyGenerations(quarantined, round))
            {
                RoundQuarantine.SaveGenerations(quarantined, round);
            }

            try
            {
                await sender.SendMissingAsync(round, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception) when (round.Tables.Any(t => t.Refused))
            {
                // Refused again: the next retry goes under the next ids, saved before it asks the ledger.
                foreach (TableInsert table in round.Tables.Where(t => t.Refused))
                {
                    table.Rekey(table.Generation + 1);
                }

                RoundQuarantine.SaveGenerations(quarantined, round);
                throw;
            }

            RoundQuarantine.Remove(quarantined);
            return null;
        }
        catch (PoisonRoundException poison)
        {
            return $"still refused  {quarantined.Name}: insert into {poison.Table}, Code {poison.Refusal.Code} ({poison.Refusal.Name}): {FirstLine(poison.ServerMessage)}";
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return $"not sent       {quarantined.Name}: {FirstLine(ex.Message)}";
        }
    }

    private static string FirstLine(string text)
    {
        int end = text.IndexOf('\n', StringComparison.Ordinal);
        return end < 0 ? text : text[..end];
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// The folder <c>quarantine/</c> inside the spool folder: rounds ClickHouse refused for good, set aside so
/// the rounds behind them go on, until <c>FastIngest.Server spool retry</c> sends them once the cause is
/// fixed. One <c>.round</c> file per round, its record unchanged (same insert ids, so the retry goes
/// through the insert ledger like a replay), and a <c>.json</c> note: the error, table, time, attempts.
/// </summary>
/// <remarks>
/// <para>The server only adds files and the retry command only removes them, each file written whole
/// (a temporary name, fsync, rename), so the two may run at once; the retry takes its own lock file
/// (<see cref="TryLockForRetry"/>) so two retries never send the same round at once.</para>
/// <para>Bounded like the spool: past <c>Spool:MaxBytes</c> of quarantined rounds a further poison round
/// is dropped and counted instead.</para>
/// </remarks>
internal sealed class RoundQuarantine(string spoolDirectory, long maxBytes)
{
    private const string RoundExtension = ".round";
    private const string NoteExtension = ".json";
    private const int MaxMessageChars = 2048;
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    public string Directory { get; } = Path.Combine(spoolDirectory, "quarantine");

    public long MaxBytes { get; } = maxBytes;

    /// <summary>Rounds and their bytes in the folder now (one directory listing).</summary>
    public (int Rounds, long Bytes) Scan()
    {
        int rounds = 0;
        long bytes = 0;
        foreach (QuarantinedRound round in List())
        {
            rounds++;
            bytes += round.Bytes;
        }

        return (rounds, bytes);
    }

    /// <summary>The quarantined rounds, oldest first (names start with the time they were set aside).</summary>
    public List<QuarantinedRound> List()
    {
        var rounds = new List<QuarantinedRound>();
        try
        {
            foreach (FileInfo file in new DirectoryInfo(Directory).EnumerateFiles("*" + RoundExtension))
            {
                string name = Path.GetFileNameWithoutExtension(file.Name);
                rounds.Add(new QuarantinedRound(name, file.FullName, Path.Combine(Directory, name + NoteExtension), file.Length));
            }
        }
        catch (Exception ex) when (ex is DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
            // No folder yet (nothing was ever quarantined), or unreadable: nothing to list.
        }

        rounds.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return rounds;
    }

    /// <summary>
    /// Writes <paramref name="record"/> and its note durably (each file fsynced under a temporary name,
    /// then renamed): once this returns, the spool may forget the round. A disk fault throws
    /// (<see cref="IOException"/>, <see cref="UnauthorizedAccessException"/>) and leaves no partial round.
    /// </summary>
    public QuarantinedRound Add(ReadOnlySpan<byte> record, InsertRound round, PoisonRoundException refusal, int attempts, DateTimeOffset now)
    {
        System.IO.Directory.CreateDirectory(Directory);
        ulong id = RoundId(round);
        string idText = id.ToString("x16", CultureInfo.InvariantCulture);
        // The same round again (a crash came between this and the spool's acknowledgement): same files.
        string? earlier = System.IO.Directory.EnumerateFiles(Directory, "*-" + idText + RoundExtension).FirstOrDefault();
        string name = earlier is not null
            ? Path.GetFileNameWithoutExtension(earlier)
            : now.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture) + "-" + idText;
        string notePath = Path.Combine(Directory, name + NoteExtension);
        string roundPath = Path.Combine(Directory, name + RoundExtension);
        // The note first: a .round file always has its note; a lone note (a fault in between) is ignored.
        WriteDurably(notePath, Note(round, refusal, attempts, now));
        try
        {
            WriteDurably(roundPath, record);
        }
        catch when (earlier is null)
        {
            TryDelete(notePath);
            throw;
        }

        return new QuarantinedRound(name, roundPath, notePath, record.Length);
    }

    public static byte[] Read(QuarantinedRound round) => File.ReadAllBytes(round.RoundPath);

    /// <summary>The note's text, or null if it is missing.</summary>
    public static string? ReadNote(QuarantinedRound round)
    {
        try
        {
            return File.ReadAllText(round.NotePath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Puts <paramref name="round"/> (read from <paramref name="quarantined"/>'s file, so at its original
    /// ids) at the generations its note records (<see cref="InsertIds"/>). A note written before notes
    /// had generations names only the refused table: that insert goes to generation 1, since its ledger
    /// row may be stale. True when the round's ids now differ from the note's (save it before sending).
    /// </summary>
    public static bool ApplyGenerations(QuarantinedRound quarantined, InsertRound round)
    {
        JsonObject note = ReadNoteObject(quarantined);
        bool changed = false;
        var byTable = new Dictionary<string, int>(StringComparer.Ordinal);
        if (note["inserts"] is JsonArray inserts)
        {
            foreach (JsonNode? insert in inserts)
            {
                if (insert?["table"]?.GetValue<string>() is string table && insert["generation"] is JsonNode generation)
                {
                    byTable[table] = generation.GetValue<int>();
                }
            }
        }

        if (byTable.Count == 0 && note["table"]?.GetValue<string>() is string refused)
        {
            byTable[refused] = 1;
            changed = true;
        }

        foreach (TableInsert table in round.Tables)
        {
            if (table.Rows > 0 && byTable.TryGetValue(table.Name, out int generation) && generation > 0)
            {
                table.Rekey(generation);
            }
        }

        return changed;
    }

    /// <summary>
    /// Records <paramref name="round"/>'s current insert ids and generations in its note, durably: after a
    /// definite refusal moved an insert to its next generation, before the ledger is asked about it again.
    /// </summary>
    public static void SaveGenerations(QuarantinedRound quarantined, InsertRound round)
    {
        JsonObject note = ReadNoteObject(quarantined);
        var inserts = new JsonArray();
        foreach (TableInsert table in round.Tables)
        {
            if (table.Rows > 0)
            {
                inserts.Add(new JsonObject
                {
                    ["table"] = table.Name,
                    ["insert_id"] = table.InsertId.ToString(CultureInfo.InvariantCulture),
                    ["generation"] = table.Generation,
                    ["rows"] = table.Rows,
                });
            }
        }

        note["inserts"] = inserts;
        WriteDurably(quarantined.NotePath, JsonSerializer.SerializeToUtf8Bytes(note, s_indented));
    }

    /// <summary>Removes a round ClickHouse now has: the round first, so a fault leaves at most a lone note.</summary>
    public static void Remove(QuarantinedRound round)
    {
        File.Delete(round.RoundPath);
        File.Delete(round.NotePath);
    }

    /// <summary>The retry command's lock (<c>retry.lock</c>, held open exclusively); null if another retry holds it.</summary>
    public FileStream? TryLockForRetry()
    {
        System.IO.Directory.CreateDirectory(Directory);
        try
        {
            return new FileStream(Path.Combine(Directory, "retry.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>A round's identity: the original insert id of its first non-empty table (0 if it has none), whatever its generations.</summary>
    public static ulong RoundId(InsertRound round)
    {
        foreach (TableInsert table in round.Tables)
        {
            if (table.Rows > 0)
            {
                return table.OriginalId;
            }
        }

        return 0;
    }

    private static JsonObject ReadNoteObject(QuarantinedRound quarantined) =>
        JsonNode.Parse(File.ReadAllBytes(quarantined.NotePath)) as JsonObject
            ?? throw new InvalidDataException($"{quarantined.NotePath} is not a JSON object");

    private static byte[] Note(InsertRound round, PoisonRoundException refusal, int attempts, DateTimeOffset now)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("quarantined_at", now.UtcDateTime);
            json.WriteString("table", refusal.Table);
            json.WriteNumber("code", refusal.Refusal.Code);
            json.WriteString("error", refusal.Refusal.Name);
            string message = refusal.ServerMessage;
            json.WriteString("message", message.Length > MaxMessageChars ? message[..MaxMessageChars] : message);
            json.WriteNumber("attempts", attempts);
            json.WriteNumber("lines", round.Lines);
            json.WriteNumber("pixel_hits", round.PixelHits);
            json.WriteNumber("events", round.Events);
            json.WriteStartArray("inserts");
            foreach (TableInsert table in round.Tables)
            {
                if (table.Rows > 0)
                {
                    json.WriteStartObject();
                    json.WriteString("table", table.Name);
                    json.WriteString("insert_id", table.InsertId.ToString(CultureInfo.InvariantCulture));
                    json.WriteNumber("generation", table.Generation);
                    json.WriteNumber("rows", table.Rows);
                    json.WriteEndObject();
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>Writes a file whole: a temporary name, fsync, rename.</summary>
    public static void WriteDurably(string path, ReadOnlySpan<byte> bytes)
    {
        string temporary = path + ".tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                file.Write(bytes);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A temporary file left behind is ignored by List and overwritten by the next Add.
        }
    }
}

using FastIngest.Server.Events;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastIngest.Tests.Events;

/// <summary>
/// The Idempotency-Key store on a real file system: disk faults on a tmpfs that fills up (issue 13, item 5);
/// expiry while running, compaction in place, released keys, scopes and caps (issue 14, item 2).
/// </summary>
public sealed class IdempotencyStoreTests
{
    private const string LogName = "idempotency-keys.log";

    private static IdempotencyStore Open(string directory, TimeProvider? time = null, int maxKeys = 1000, int maxPerScope = 1000, int compactAfter = 4096) =>
        new(directory, TimeSpan.FromDays(1), maxKeys, maxPerScope, time ?? TimeProvider.System, NullLogger<IdempotencyStore>.Instance, compactAfter);

    private static void Store(IdempotencyStore store, string scope, string key, string body)
    {
        Assert.Equal(IdempotencyStore.Outcome.New, store.TryBegin(scope, key, out _, out _));
        Assert.True(store.TryComplete(scope, key, 202, body));
    }

    [Fact]
    public void AKeyTheDiskRefusesIsForgottenAndTheLogStaysReadableOnceThereIsRoom()
    {
        using var disk = new TmpfsMount("idemenospc", 1L << 20);
        using (IdempotencyStore store = Open(disk.Path))
        {
            Store(store, "t", "k1", "first");

            string filler = disk.Fill("filler", leaveFreeBytes: 0);
            Assert.Equal(IdempotencyStore.Outcome.New, store.TryBegin("t", "k2", out _, out _));
            // Larger than what is left of the log's last page: the write reaches the disk in part, then fails.
            Assert.False(store.TryComplete("t", "k2", 202, new string('x', 64 * 1024)));
            Assert.Equal(1, store.WriteFailures);
            // Forgotten, not stuck "in progress": the client's retry is a new request.
            Assert.Equal(IdempotencyStore.Outcome.New, store.TryBegin("t", "k2", out _, out _));

            File.Delete(filler);
            Assert.True(store.TryComplete("t", "k2", 202, "second"));
        }

        using IdempotencyStore reopened = Open(disk.Path);
        Assert.Equal(IdempotencyStore.Outcome.Replay, reopened.TryBegin("t", "k1", out _, out string first));
        Assert.Equal("first", first);
        Assert.Equal(IdempotencyStore.Outcome.Replay, reopened.TryBegin("t", "k2", out _, out string second));
        Assert.Equal("second", second);
    }

    [Fact]
    public void ANewKeyOnAFullDiskIsRefusedBeforeAnythingCounts()
    {
        using var disk = new TmpfsMount("idemfull", 1L << 20);
        using IdempotencyStore store = Open(disk.Path);
        // Fill the log's last page too, so even a short begin line finds no room.
        string filler = disk.Fill("filler", leaveFreeBytes: 0);
        var refused = IdempotencyStore.Outcome.New;
        for (int i = 0; i < 1000 && refused == IdempotencyStore.Outcome.New; i++)
        {
            refused = store.TryBegin("t", "k" + i, out _, out _);
        }

        Assert.Equal(IdempotencyStore.Outcome.Refused, refused);
        Assert.True(store.WriteFailures >= 1);
        File.Delete(filler);
        Store(store, "t", "after", "ok");
    }

    [Fact]
    public void AReleasedKeyIsTakenAsNewAndItsBeginLineIsNotReplayedAfterARestart()
    {
        using var folder = new TempFolder("idemrelease");
        using (IdempotencyStore store = Open(folder.Path))
        {
            Assert.Equal(IdempotencyStore.Outcome.New, store.TryBegin("t", "k", out _, out _));
            Assert.Equal(IdempotencyStore.Outcome.InProgress, store.TryBegin("t", "k", out _, out _));
            store.Release("t", "k");
            Assert.Equal(IdempotencyStore.Outcome.New, store.TryBegin("t", "k", out _, out _));
            // Begun but never completed (the process dies before its events are durable).
        }

        using IdempotencyStore reopened = Open(folder.Path);
        Assert.Equal(IdempotencyStore.Outcome.New, reopened.TryBegin("t", "k", out _, out _));
    }

    [Fact]
    public void ReleaseNeverForgetsACompletedKey()
    {
        using var folder = new TempFolder("idemreleasedone");
        using IdempotencyStore store = Open(folder.Path);
        Store(store, "t", "k", "done");
        store.Release("t", "k");
        Assert.Equal(IdempotencyStore.Outcome.Replay, store.TryBegin("t", "k", out int status, out string body));
        Assert.Equal((202, "done"), (status, body));
    }

    [Fact]
    public void KeysExpireWhileRunningAndFreeTheirScope()
    {
        using var folder = new TempFolder("idemexpiry");
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using IdempotencyStore store = Open(folder.Path, clock, maxPerScope: 2);
        Store(store, "t", "a", "1");
        Store(store, "t", "b", "2");
        Assert.Equal(IdempotencyStore.Outcome.ScopeFull, store.TryBegin("t", "c", out _, out _));

        clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(2));
        Assert.Equal(IdempotencyStore.Outcome.New, store.TryBegin("t", "c", out _, out _));
        Assert.Equal(2, store.Expired);
        Assert.Equal(1, store.Count);
        Assert.Equal(IdempotencyStore.Outcome.New, store.TryBegin("t", "a", out _, out _));
    }

    [Fact]
    public void ScopesAreSeparateAndACapRefusesNewKeysWithoutEvictingOldOnes()
    {
        using var folder = new TempFolder("idemscope");
        using IdempotencyStore store = Open(folder.Path, maxKeys: 4, maxPerScope: 2);
        Store(store, "tenant\na", "k", "a's");
        // The same key in another scope is another key: never a replay of a's answer.
        Assert.Equal(IdempotencyStore.Outcome.New, store.TryBegin("tenant\nb", "k", out _, out _));
        Assert.True(store.TryComplete("tenant\nb", "k", 202, "b's"));
        Assert.Equal(IdempotencyStore.Outcome.Replay, store.TryBegin("tenant\na", "k", out _, out string a));
        Assert.Equal("a's", a);

        Store(store, "tenant\na", "k2", "a2");
        Assert.Equal(IdempotencyStore.Outcome.ScopeFull, store.TryBegin("tenant\na", "k3", out _, out _));
        Store(store, "tenant\nc", "k", "c's");
        Assert.Equal(IdempotencyStore.Outcome.Full, store.TryBegin("tenant\nd", "k", out _, out _));
        Assert.Equal(2, store.RefusedAtCap);
        // Nothing was evicted to make room: every stored key still replays.
        Assert.Equal(IdempotencyStore.Outcome.Replay, store.TryBegin("tenant\na", "k", out _, out _));
        Assert.Equal(IdempotencyStore.Outcome.Replay, store.TryBegin("tenant\nb", "k", out _, out _));
        Assert.Equal(IdempotencyStore.Outcome.Replay, store.TryBegin("tenant\na", "k2", out _, out _));
    }

    [Fact]
    public void TheLogIsCompactedInPlaceWhileRunningAndKeepsEveryLiveKey()
    {
        using var folder = new TempFolder("idemcompact");
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        string log = Path.Combine(folder.Path, LogName);
        using (IdempotencyStore store = Open(folder.Path, clock, compactAfter: 64))
        {
            for (int i = 0; i < 200; i++)
            {
                Store(store, "t", "old" + i, "old");
            }

            clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(2));
            long compactionsBefore = store.Compactions;
            for (int i = 0; i < 50; i++)
            {
                Store(store, "t", "live" + i, "live " + i);
            }

            Assert.True(store.Compactions > compactionsBefore, "the log was compacted while running");
            Assert.Equal(50, store.Count);
            // Only the live keys' lines (and at most the begin lines since) are left: far fewer than 450 lines.
            Assert.True(File.ReadAllLines(log).Length < 150, File.ReadAllLines(log).Length + " lines");
            Assert.False(File.Exists(log + ".tmp"));
            // Appends after the compaction go into the compacted file.
            Store(store, "t", "after", "after");
        }

        using IdempotencyStore reopened = Open(folder.Path, clock);
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(IdempotencyStore.Outcome.Replay, reopened.TryBegin("t", "live" + i, out _, out string body));
            Assert.Equal("live " + i, body);
        }

        Assert.Equal(IdempotencyStore.Outcome.Replay, reopened.TryBegin("t", "after", out _, out _));
        Assert.Equal(IdempotencyStore.Outcome.New, reopened.TryBegin("t", "old0", out _, out _));
    }

    [Fact]
    public void ACompactionCutShortByACrashLeavesTheOldLogWhole()
    {
        using var folder = new TempFolder("idemcrash");
        string log = Path.Combine(folder.Path, LogName);
        using (IdempotencyStore store = Open(folder.Path))
        {
            Store(store, "t", "k1", "one");
            Store(store, "t", "k2", "two");
        }

        // What a crash in the middle of a rewrite leaves: a half-written temporary file beside the log.
        File.WriteAllText(log + ".tmp", "1\tDEADBEEF\t202\tdG9ybg==\tABCD\n17000000");
        using (IdempotencyStore reopened = Open(folder.Path))
        {
            Assert.Equal(IdempotencyStore.Outcome.Replay, reopened.TryBegin("t", "k1", out _, out string one));
            Assert.Equal("one", one);
            Assert.Equal(IdempotencyStore.Outcome.Replay, reopened.TryBegin("t", "k2", out _, out string two));
            Assert.Equal("two", two);
            Assert.Equal(2, reopened.Count);
            Assert.False(File.Exists(log + ".tmp"));
        }
    }

    [Fact]
    public void ALogOfTheFormerFormatStillReplays()
    {
        using var folder = new TempFolder("idemlegacy");
        using (IdempotencyStore store = Open(folder.Path))
        {
            Store(store, "t", "k", "body");
        }

        // Drop the scope field, as lines were written before scopes were on disk.
        string log = Path.Combine(folder.Path, LogName);
        File.WriteAllLines(log, File.ReadAllLines(log).Select(l => string.Join('\t', l.Split('\t').Take(4))));
        using IdempotencyStore reopened = Open(folder.Path);
        Assert.Equal(IdempotencyStore.Outcome.Replay, reopened.TryBegin("t", "k", out _, out string body));
        Assert.Equal("body", body);
    }
}

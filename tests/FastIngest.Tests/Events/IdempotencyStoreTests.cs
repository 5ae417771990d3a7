using FastIngest.Server.Events;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastIngest.Tests.Events;

/// <summary>The Idempotency-Key log on a real file system that fills up (a tmpfs): issue 13, item 5.</summary>
public sealed class IdempotencyStoreTests
{
    private static IdempotencyStore Open(string directory) =>
        new(directory, TimeSpan.FromDays(1), TimeProvider.System, NullLogger<IdempotencyStore>.Instance);

    [Fact]
    public void AKeyTheDiskRefusesIsForgottenAndTheLogStaysReadableOnceThereIsRoom()
    {
        using var disk = new TmpfsMount("idemenospc", 1L << 20);
        using (IdempotencyStore store = Open(disk.Path))
        {
            Assert.Equal(IdempotencyStore.Outcome.New, store.TryBegin("t", "k1", out _, out _));
            Assert.True(store.TryComplete("t", "k1", 202, "first"));

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
}

using System.Net;
using FastIngest.Server.Http;

namespace FastIngest.Tests.Http;

public sealed class IngestLimitsTests
{
    private sealed class ManualClock : TimeProvider
    {
        public long Ticks { get; set; } = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Ticks;

        public void Advance(TimeSpan by) => Ticks += by.Ticks;
    }

    private static ApiCaller Address(int i) => new(null, new IPAddress([203, 0, (byte)(i >> 8), (byte)i]));

    [Fact]
    public void BytesPastTheBurstAre429UntilTheRateHasPaidThemBack()
    {
        var clock = new ManualClock();
        var limits = new IngestLimits(bytesPerSecond: 1000, burstBytes: 3000, concurrency: 0, maxAddressPartitions: 10, clock);
        ApiCaller caller = Address(1);

        Assert.Equal(IngestRefusal.None, limits.TryEnter(caller, 2000, out IngestLease? first, out _));
        first!.Dispose();
        Assert.Equal(IngestRefusal.Bytes, limits.TryEnter(caller, 2000, out _, out int retryAfter));
        Assert.Equal(1, retryAfter);
        // Another partition has its own bucket.
        Assert.Equal(IngestRefusal.None, limits.TryEnter(Address(2), 2000, out IngestLease? other, out _));
        other!.Dispose();

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(IngestRefusal.None, limits.TryEnter(caller, 2000, out IngestLease? again, out _));
        again!.Dispose();
    }

    [Fact]
    public void AChunkedBodyGoesIntoDebtAndRetryAfterSaysWhenItIsPaid()
    {
        var clock = new ManualClock();
        var limits = new IngestLimits(bytesPerSecond: 1000, burstBytes: 1000, concurrency: 0, maxAddressPartitions: 10, clock);
        ApiCaller caller = Address(1);
        Assert.Equal(IngestRefusal.None, limits.TryEnter(caller, null, out IngestLease? lease, out _));
        lease!.Read(5000);
        lease.Dispose();
        Assert.Equal(IngestRefusal.Bytes, limits.TryEnter(caller, 10, out _, out int retryAfter));
        Assert.Equal(5, retryAfter);
    }

    [Fact]
    public void ARequestInFlightHoldsItsSlotUntilDisposed()
    {
        var limits = new IngestLimits(bytesPerSecond: 0, burstBytes: 1024, concurrency: 2, maxAddressPartitions: 10, new ManualClock());
        ApiCaller caller = Address(1);
        Assert.Equal(IngestRefusal.None, limits.TryEnter(caller, 10, out IngestLease? a, out _));
        Assert.Equal(IngestRefusal.None, limits.TryEnter(caller, 10, out IngestLease? b, out _));
        Assert.Equal(IngestRefusal.Concurrency, limits.TryEnter(caller, 10, out _, out int retryAfter));
        Assert.Equal(1, retryAfter);
        a!.Dispose();
        a.Dispose();
        Assert.Equal(IngestRefusal.None, limits.TryEnter(caller, 10, out IngestLease? c, out _));
        b!.Dispose();
        c!.Dispose();
    }

    [Fact]
    public void AddressPartitionsAreCappedButTenantsAlwaysGetIn()
    {
        var clock = new ManualClock();
        var limits = new IngestLimits(bytesPerSecond: 1000, burstBytes: 1000, concurrency: 4, maxAddressPartitions: 3, clock);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(IngestRefusal.None, limits.TryEnter(Address(i), 500, out IngestLease? lease, out _));
            lease!.Dispose();
        }

        Assert.Equal(IngestRefusal.Partitions, limits.TryEnter(Address(99), 500, out _, out _));
        Assert.Equal(IngestRefusal.None, limits.TryEnter(new ApiCaller("shop", IPAddress.Loopback), 500, out IngestLease? tenant, out _));
        tenant!.Dispose();
        Assert.Equal(4, limits.Partitions);

        // Once their buckets are full again, idle addresses leave and make room.
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(IngestRefusal.None, limits.TryEnter(Address(99), 500, out IngestLease? late, out _));
        late!.Dispose();
        Assert.True(limits.Partitions <= 3, $"{limits.Partitions} partitions");
    }

    [Fact]
    public void BothLimitsOffKeepNoState()
    {
        var limits = new IngestLimits(bytesPerSecond: 0, burstBytes: 1024, concurrency: 0, maxAddressPartitions: 1, new ManualClock());
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(IngestRefusal.None, limits.TryEnter(Address(i), 1 << 20, out IngestLease? lease, out _));
            Assert.Null(lease);
        }

        Assert.Equal(0, limits.Partitions);
    }
}

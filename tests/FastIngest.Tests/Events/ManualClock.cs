namespace FastIngest.Tests.Events;

/// <summary>A clock a test moves by hand, so expiry is tested without waiting for it.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

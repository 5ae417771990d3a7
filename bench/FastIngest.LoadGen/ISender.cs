namespace FastIngest.LoadGen;

/// <summary>Sends pre-built messages, paced, to one FastIngest (or peer) endpoint.</summary>
internal interface ISender
{
    /// <summary>What a message is called in this mode's report ("datagrams", "requests", ...).</summary>
    string Unit { get; }

    /// <summary>Sends until the rate, count or time bound stops it; returns the messages sent.</summary>
    Task<long> RunAsync(long rate, long count, TimeSpan duration);
}

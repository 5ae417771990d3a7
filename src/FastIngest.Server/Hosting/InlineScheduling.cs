namespace FastIngest.Server.Hosting;

/// <summary>
/// Inline scheduling: socket completions and Kestrel's connection code on the socket engine's threads
/// instead of a hand-off of every read to the thread pool. It takes ~30 % off a pixel request's CPU
/// (bench/README.md "Pixel port"), but is OFF by default: with it, TCP syslog's peak memory under
/// LongPathFloodTests went from within its documented bound to ~1 GB (reads are no longer held back by
/// the thread pool while the shards push back). Until that is bounded, an operator opts in with
/// <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c> in the server's environment, which turns on both
/// halves: the runtime's (read from the environment only, SocketAsyncEngine.Unix.cs; no runtimeconfig
/// switch) and Kestrel's <c>UnsafePreferInlineScheduling</c> (per server, not per listener).
/// </summary>
/// <remarks>
/// Nothing may block on a socket thread then: the doors await the shards' backpressure, and the ClickHouse
/// client leaves the socket thread after each response (Core/ClickHouse/OffSocketThreadHandler.cs; without
/// it the start hung on the schema's first request).
/// </remarks>
internal static class InlineScheduling
{
    /// <summary>Whether the environment asks for inline scheduling.</summary>
    public static bool Enabled => Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") == "1";
}

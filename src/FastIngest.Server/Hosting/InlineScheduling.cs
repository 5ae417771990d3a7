namespace FastIngest.Server.Hosting;

/// <summary>
/// Kestrel's half of inline scheduling (<c>UnsafePreferInlineScheduling</c>): a connection's code runs on
/// the thread that completed its read instead of being queued once more to Kestrel's IO queues. Set by
/// the project for every listener (Kestrel's transport options are per server, not per listener), which
/// is safe because no door blocks in its connection code: the shards' backpressure is awaited.
/// </summary>
/// <remarks>
/// The runtime's half (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>: socket completions on the
/// epoll thread itself, no hand-off to the thread pool), which issue 15 measured as what makes a
/// connection-level pixel as cheap as NGINX, is NOT set: the runtime reads it only from the environment
/// (SocketAsyncEngine.Unix.cs, no runtimeconfig switch), it applies to every socket in the process (the
/// ClickHouse client, the events API, syslog), and with it this server's start hung before listening
/// whenever ClickHouse was reachable (a continuation of the first ClickHouse request blocking an epoll
/// thread; not yet pinned down). bench/README.md ("Pixel port") has the numbers with and without.
/// </remarks>
internal static class InlineScheduling
{
    /// <summary>Whether Kestrel schedules inline (on unless <c>FASTINGEST_KESTREL_INLINE=0</c>, for A/B measurements).</summary>
    public static bool Kestrel => Environment.GetEnvironmentVariable("FASTINGEST_KESTREL_INLINE") != "0";
}

using System.Net.Sockets;

namespace FastIngest.Core.ClickHouse;

/// <summary>
/// Sends every request of a shard's client to one of the shard's replicas, and moves to the next replica
/// when the current one can't be connected to (issue 19). The request that failed still fails: the sink's
/// own retry (spool, replay with its ledger check) sends it again, now to the next replica.
/// </summary>
/// <remarks>
/// Only a failure to connect moves on: the request never reached that replica, so nothing is in doubt. A
/// timeout or a cut answer stays on the replica, where the ledger (replicated with the shard's tables) and
/// <c>system.processes</c> answer for the attempt in doubt most surely.
/// </remarks>
internal sealed class ReplicaFailover : DelegatingHandler
{
    private readonly Uri[] _replicas;
    private int _current;
    private long _failovers;

    public ReplicaFailover(IReadOnlyList<Uri> replicas, HttpMessageHandler inner)
        : base(inner)
    {
        ArgumentOutOfRangeException.ThrowIfZero(replicas.Count);
        _replicas = [.. replicas];
    }

    /// <summary>The replica requests go to now.</summary>
    public Uri Current => _replicas[Volatile.Read(ref _current)];

    /// <summary>The index of <see cref="Current"/> in the shard's replicas, from 0.</summary>
    public int CurrentIndex => Volatile.Read(ref _current);

    /// <summary>Moves to the next replica so far: an operator's sign that a replica stopped answering.</summary>
    public long Failovers => Interlocked.Read(ref _failovers);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        int current = Volatile.Read(ref _current);
        Uri replica = _replicas[current];
        if (request.RequestUri is { } uri)
        {
            // The driver built the URI on the first replica; the path and query (the statement, its settings) stay.
            request.RequestUri = new UriBuilder(uri) { Scheme = replica.Scheme, Host = replica.Host, Port = replica.Port }.Uri;
        }

        try
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (_replicas.Length > 1 && ex.InnerException is SocketException)
        {
            // Refused, unreachable, no route: the next replica for the next attempt (once, however many
            // requests failed together on this one).
            if (Interlocked.CompareExchange(ref _current, (current + 1) % _replicas.Length, current) == current)
            {
                Interlocked.Increment(ref _failovers);
            }

            throw;
        }
    }
}

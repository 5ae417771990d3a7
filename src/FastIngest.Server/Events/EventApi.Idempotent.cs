using FastIngest.Core.Ingest;
using FastIngest.Server.Http;
using static FastIngest.Server.Http.JsonResponses;

namespace FastIngest.Server.Events;

/// <summary>
/// <c>/ingest</c> with an <c>Idempotency-Key</c> (issue 14, item 2): the 202 is sent, and the key stored,
/// only once the batch's events are durable, so a replay never answers for events a crash lost.
/// </summary>
internal sealed partial class EventApi
{
    private enum Durability
    {
        /// <summary>In ClickHouse or the spool, and the key is stored: a retry is replayed.</summary>
        Stored,

        /// <summary>In ClickHouse or the spool, but the disk refused the key: a retry would count again.</summary>
        DurableNotStored,

        /// <summary>Maybe lost (a round dropped, the pipeline stopping): the key is released, a retry counts.</summary>
        NotDurable,
    }

    /// <summary>Claims the key, or answers the request (replay, 409, 429, 503) and returns false.</summary>
    private async ValueTask<bool> TryClaimAsync(HttpContext context, string scope, string key)
    {
        switch (_idempotency.TryBegin(scope, key, out int status, out string stored))
        {
            case IdempotencyStore.Outcome.New:
                return true;
            case IdempotencyStore.Outcome.Replay:
                context.Response.Headers["Idempotent-Replayed"] = "true";
                await WriteJsonAsync(context, status, stored).ConfigureAwait(false);
                return false;
            case IdempotencyStore.Outcome.InProgress:
                context.Response.Headers.RetryAfter = "1";
                await ErrorAsync(context, StatusCodes.Status409Conflict, "A request with this Idempotency-Key is in progress (or its events are not durable yet); retry later").ConfigureAwait(false);
                return false;
            case IdempotencyStore.Outcome.ScopeFull:
                context.Response.Headers.RetryAfter = "60";
                await ErrorAsync(context, StatusCodes.Status429TooManyRequests, "Too many Idempotency-Keys remembered for this client; nothing was counted, retry later").ConfigureAwait(false);
                return false;
            case IdempotencyStore.Outcome.Full:
                context.Response.Headers.RetryAfter = "60";
                await ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "Too many Idempotency-Keys remembered; nothing was counted, retry later").ConfigureAwait(false);
                return false;
            default:
                await ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "The Idempotency-Key could not be stored (the server's disk refused it); nothing was counted, retry later").ConfigureAwait(false);
                return false;
        }
    }

    /// <summary>
    /// Counts the batch, waits until it is durable (at most <see cref="EventsOptions.IdempotentCommitTimeout"/>),
    /// then answers. Past the timeout, or when the client is gone, the key is settled in the background: stored
    /// once the events are durable, released if they can't be.
    /// </summary>
    private async Task CommitIdempotentAsync(HttpContext context, EventBatch batch, uint arrivedAt, string scope, string key, string response)
    {
        Task<Durability> settled;
        try
        {
            // A round dropped after this read may have held these events (rounds are written in order): the
            // check is conservative, a drop of any round meanwhile counts as ours.
            long droppedBefore = _sink.RoundsDropped;
            ShardedBatchWriter writer = _pipeline.CreateWriter(IngestSource.Http);
            await batch.CommitInOrderAsync(writer, arrivedAt, ApiCaller.Of(context).Sender).ConfigureAwait(false);
            settled = SettleAsync(_durability.WaitAsync(), droppedBefore, scope, key, response);
        }
        catch
        {
            // Possibly counted in part: the retry may count some events twice, but is never answered with a lie.
            _idempotency.Release(scope, key);
            throw;
        }

        Log.Ingested(_logger, batch.Accepted, batch.Rejected);
        Durability outcome;
        try
        {
            outcome = await settled.WaitAsync(_options.IdempotentCommitTimeout, context.RequestAborted).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            context.Response.Headers.RetryAfter = "5";
            await ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "The batch was accepted but is not durable yet; retry with the same Idempotency-Key to learn the outcome").ConfigureAwait(false);
            return;
        }

        if (outcome == Durability.NotDurable)
        {
            context.Response.Headers.RetryAfter = "5";
            await ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "The batch could not be made durable (the server's spool refused it); retry with the same Idempotency-Key").ConfigureAwait(false);
            return;
        }

        // Durable, whether or not the key could be stored: 202 is the truth.
        await WriteJsonAsync(context, StatusCodes.Status202Accepted, response).ConfigureAwait(false);
    }

    /// <summary>Stores or releases the key once the barrier says where the events are. Never throws.</summary>
    private async Task<Durability> SettleAsync(Task barrier, long droppedBefore, string scope, string key, string response)
    {
        try
        {
            try
            {
                await barrier.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not ObjectDisposedException)
            {
                _idempotency.Release(scope, key);
                Log.NotDurable(_logger, ex);
                return Durability.NotDurable;
            }

            if (_sink.RoundsDropped != droppedBefore)
            {
                _idempotency.Release(scope, key);
                Log.NotDurable(_logger, null);
                return Durability.NotDurable;
            }

            if (_idempotency.TryComplete(scope, key, StatusCodes.Status202Accepted, response))
            {
                return Durability.Stored;
            }

            Log.DurableButNotStored(_logger);
            return Durability.DurableNotStored;
        }
        catch (ObjectDisposedException)
        {
            // Settled in the background after the server stopped (the client had gone or timed out): the
            // key is not stored, so the retry counts again rather than being answered with a lie.
            return Durability.NotDurable;
        }
    }
}

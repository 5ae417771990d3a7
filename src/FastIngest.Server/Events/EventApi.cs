using System.Buffers;
using System.IO.Pipelines;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Parsing.Events;
using FastIngest.Core.Sinks.ClickHouse;
using FastIngest.Server.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using static FastIngest.Server.Http.JsonResponses;

namespace FastIngest.Server.Events;

/// <summary>
/// The website-analytics HTTP contract: <c>POST /event</c> (one event), <c>POST /ingest</c> (a JSON array or
/// NDJSON, streamed). Events go through the same shards as everything else; <c>GET /stats</c> is on the
/// read side (<see cref="Reading.StatsEndpoint"/>).
/// </summary>
internal sealed partial class EventApi
{
    private static readonly byte[] s_received = """{"message":"Event received"}"""u8.ToArray();

    private readonly EventsOptions _options;
    private readonly HttpIngestSource _source;
    private readonly IngestLimits _limits;
    private readonly ApiRefusals _refusals;
    private readonly IdempotencyStore _idempotency;
    private readonly IngestPipeline _pipeline;
    private readonly ShardedClickHouseSink _sink;
    private readonly DurabilityBarrier _durability;
    private readonly TimeProvider _time;
    private readonly ILogger<EventApi> _logger;

    public EventApi(IOptions<EventsOptions> options, HttpIngestSource source, IngestLimits limits, ApiRefusals refusals, IdempotencyStore idempotency, IngestPipeline pipeline, ShardedClickHouseSink sink, DurabilityBarrier durability, TimeProvider time, ILogger<EventApi> logger)
    {
        _pipeline = pipeline;
        _sink = sink;
        _durability = durability;
        _options = options.Value;
        _source = source;
        _limits = limits;
        _refusals = refusals;
        _idempotency = idempotency;
        _time = time;
        _logger = logger;
    }

    public async Task PostEventAsync(HttpContext context)
    {
        if (!IsJson(context.Request.ContentType))
        {
            await ErrorAsync(context, StatusCodes.Status415UnsupportedMediaType, "Content-Type must be application/json").ConfigureAwait(false);
            return;
        }

        // The key was checked before the rate limit (ApiAuthentication): a 401 never reaches a handler.
        ApiCaller caller = ApiCaller.Of(context);
        string? tenant = caller.Tenant;

        PipeReader body = context.Request.BodyReader;
        AllowLargeBodies(context);
        ReadResult read;
        while (true)
        {
            read = await body.ReadAsync(context.RequestAborted).ConfigureAwait(false);
            if (read.Buffer.Length > _options.MaxEventBytes)
            {
                await CountTooLargeAsync(read.Buffer).ConfigureAwait(false);
                body.AdvanceTo(read.Buffer.End);
                await ErrorAsync(context, StatusCodes.Status413PayloadTooLarge, $"Event too large (limit {_options.MaxEventBytes} bytes)").ConfigureAwait(false);
                return;
            }

            if (read.IsCompleted)
            {
                break;
            }

            body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }

        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        using var batch = new EventBatch(_options.MaxEventBytes, tenant, now);
        EventError error = batch.Add(read.Buffer, line: 1);
        body.AdvanceTo(read.Buffer.End);
        // Refused events are counted in ingest_errors too, like any bad input.
        await batch.CommitAsync(_source.Writer, (uint)(now / 1000), caller.Sender).ConfigureAwait(false);
        if (error != EventError.None)
        {
            int status = error == EventError.ForbiddenSiteId ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest;
            await ErrorAsync(context, status, EventErrors.Message(error)).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(s_received, context.RequestAborted).ConfigureAwait(false);
    }

    public async Task IngestAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        bool ndjson = IsNdjson(request.ContentType);
        if (!ndjson && !IsJson(request.ContentType))
        {
            await ErrorAsync(context, StatusCodes.Status415UnsupportedMediaType, "Content-Type must be application/json (an array of events) or application/x-ndjson").ConfigureAwait(false);
            return;
        }

        // The key was checked before the rate limit (ApiAuthentication): a 401 never reaches a handler.
        ApiCaller caller = ApiCaller.Of(context);
        string? tenant = caller.Tenant;

        if (request.ContentLength > _options.MaxBatchBytes)
        {
            await CountTooLargeAsync(default).ConfigureAwait(false);
            await ErrorAsync(context, StatusCodes.Status413PayloadTooLarge, TooLarge()).ConfigureAwait(false);
            return;
        }

        IngestRefusal refusal = _limits.TryEnter(caller, request.ContentLength, out IngestLease? lease, out int retryAfter);
        if (refusal != IngestRefusal.None)
        {
            _refusals.Count(refusal);
            context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await ErrorAsync(context, StatusCodes.Status429TooManyRequests, refusal == IngestRefusal.Concurrency
                ? "Too many requests in flight for this key or address"
                : "Too many bytes per second for this key or address").ConfigureAwait(false);
            return;
        }

        using IngestLease? held = lease;
        string? key = request.Headers["Idempotency-Key"];
        string scope = IdempotencyScope.Of(caller);
        bool claimed = false;
        if (!string.IsNullOrEmpty(key))
        {
            if (!await TryClaimAsync(context, scope, key).ConfigureAwait(false))
            {
                return;
            }

            claimed = true;
        }

        AllowLargeBodies(context);
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        using var batch = new EventBatch(_options.MaxEventBytes, tenant, now);
        try
        {
            if (!await ReadBatchAsync(request.BodyReader, ndjson, batch, lease, context.RequestAborted).ConfigureAwait(false))
            {
                // Nothing of the batch counts (a retry must be able to send it whole); the refusal does.
                await CountTooLargeAsync(default).ConfigureAwait(false);
                await ErrorAsync(context, StatusCodes.Status413PayloadTooLarge, TooLarge()).ConfigureAwait(false);
                return;
            }

            string response = Accepted(batch);
            if (claimed)
            {
                // From here the key is the commit's: stored once the events are durable, released if they can't be.
                claimed = false;
                await CommitIdempotentAsync(context, batch, (uint)(now / 1000), scope, key!, response).ConfigureAwait(false);
                return;
            }

            // Without a key, 202 means accepted: counted at most once, lost if the process dies before the flush.
            await batch.CommitAsync(_source.Writer, (uint)(now / 1000), caller.Sender).ConfigureAwait(false);
            Log.Ingested(_logger, batch.Accepted, batch.Rejected);
            await WriteJsonAsync(context, StatusCodes.Status202Accepted, response).ConfigureAwait(false);
        }
        finally
        {
            // A body cut short, a client gone, a 413 or any exception before the commit: nothing was counted,
            // so the retry must be taken as new.
            if (claimed)
            {
                _idempotency.Release(scope, key!);
            }
        }
    }

    /// <summary>An oversized body is bad input too: one <c>message_too_large</c> in ingest_errors, with a sample when there is one.</summary>
    private async ValueTask CountTooLargeAsync(ReadOnlySequence<byte> sample)
    {
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        using var reject = new EventBatch(_options.MaxEventBytes, tenant: null, now);
        reject.Reject(EventError.TooLarge, sample, line: 1);
        await reject.CommitAsync(_source.Writer, (uint)(now / 1000)).ConfigureAwait(false);
    }

    /// <summary>Reads and stages the whole body; false when it passed <see cref="EventsOptions.MaxBatchBytes"/>.</summary>
    private async Task<bool> ReadBatchAsync(PipeReader body, bool ndjson, EventBatch batch, IngestLease? lease, CancellationToken cancellationToken)
    {
        var reader = new BatchReader(batch, ndjson);
        long total = 0;
        while (true)
        {
            ReadResult read = await body.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = read.Buffer;
            // Counted as it arrives: a chunked body has no Content-Length to refuse up front.
            if (total + buffer.Length > _options.MaxBatchBytes)
            {
                body.AdvanceTo(buffer.End);
                return false;
            }

            SequencePosition consumed = reader.Read(buffer, read.IsCompleted);
            long taken = buffer.Slice(0, consumed).Length;
            total += taken;
            lease?.Read(taken);
            body.AdvanceTo(consumed, buffer.End);
            if (read.IsCompleted)
            {
                reader.Finish();
                return true;
            }
        }
    }

    private static void AllowLargeBodies(HttpContext context)
    {
        // Our limits are checked as bytes arrive; Kestrel's own (30 MB) must not answer first.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }
    }

    private string TooLarge() => $"Request body too large (limit {_options.MaxBatchBytes} bytes)";

    private static string Accepted(EventBatch batch) => Json(json =>
    {
        json.WriteStartObject();
        json.WriteNumber("accepted", batch.Accepted);
        json.WriteNumber("rejected", batch.Rejected);
        json.WriteStartArray("errors");
        foreach ((int line, string error) in batch.Errors)
        {
            json.WriteStartObject();
            json.WriteNumber("line", line);
            json.WriteString("error", error);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    });

    private static bool IsJson(string? contentType) =>
        MediaType(contentType) is { } type && (type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    private static bool IsNdjson(string? contentType) =>
        MediaType(contentType)?.ToLowerInvariant() is "application/x-ndjson" or "application/ndjson" or "application/jsonl" or "application/x-jsonlines";

    /// <summary>The media type without parameters; null when unparsable or in a charset other than UTF-8.</summary>
    private static string? MediaType(string? contentType)
    {
        if (contentType is null || !Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return null;
        }

        return media.Charset.HasValue && !media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) ? null : media.MediaType.Value;
    }

    private static partial class Log
    {
        [LoggerMessage(310, LogLevel.Debug, "Ingested a batch: {Accepted} accepted, {Rejected} rejected")]
        public static partial void Ingested(ILogger logger, int accepted, int rejected);

        [LoggerMessage(312, LogLevel.Warning, "A batch with an Idempotency-Key was counted but may not be durable (a flush round was dropped or the pipeline stopped): its key is released, so a retry counts it again")]
        public static partial void NotDurable(ILogger logger, Exception? exception);

        [LoggerMessage(313, LogLevel.Warning, "A batch with an Idempotency-Key is durable but its key could not be stored: answered 202, a retry would count it again")]
        public static partial void DurableButNotStored(ILogger logger);
    }
}

using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using FastIngest.Core.Parsing.Events;
using FastIngest.Core.Reading;
using FastIngest.Server.Http;
using FastIngest.Server.Reading;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Events;

/// <summary>
/// The website-analytics HTTP contract: <c>POST /event</c> (one event), <c>POST /ingest</c> (a JSON array or
/// NDJSON, streamed), <c>GET /stats</c>. Events go through the same shards as everything else.
/// </summary>
internal sealed partial class EventApi
{
    public const string RateLimitPolicy = "api";

    private static readonly JsonWriterOptions s_json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly byte[] s_received = """{"message":"Event received"}"""u8.ToArray();

    private readonly EventsOptions _options;
    private readonly HttpIngestSource _source;
    private readonly TenantKeys _keys;
    private readonly IdempotencyStore _idempotency;
    private readonly ClickHouseQueries _clickHouse;
    private readonly TimeProvider _time;
    private readonly ILogger<EventApi> _logger;

    public EventApi(IOptions<EventsOptions> options, HttpIngestSource source, TenantKeys keys, IdempotencyStore idempotency, ClickHouseQueries clickHouse, TimeProvider time, ILogger<EventApi> logger)
    {
        _options = options.Value;
        _source = source;
        _keys = keys;
        _idempotency = idempotency;
        _clickHouse = clickHouse;
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

        if (!TryAuthenticate(context, out string? tenant))
        {
            await ErrorAsync(context, StatusCodes.Status401Unauthorized, "Missing or invalid API key").ConfigureAwait(false);
            return;
        }

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
        await batch.CommitAsync(_source.Writer, (uint)(now / 1000)).ConfigureAwait(false);
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

        if (!TryAuthenticate(context, out string? tenant))
        {
            await ErrorAsync(context, StatusCodes.Status401Unauthorized, "Missing or invalid API key").ConfigureAwait(false);
            return;
        }

        if (request.ContentLength > _options.MaxBatchBytes)
        {
            await CountTooLargeAsync(default).ConfigureAwait(false);
            await ErrorAsync(context, StatusCodes.Status413PayloadTooLarge, TooLarge()).ConfigureAwait(false);
            return;
        }

        string? key = request.Headers["Idempotency-Key"];
        string scope = tenant ?? "";
        if (!string.IsNullOrEmpty(key))
        {
            switch (_idempotency.TryBegin(scope, key, out int status, out string stored))
            {
                case IdempotencyStore.Outcome.Replay:
                    context.Response.Headers["Idempotent-Replayed"] = "true";
                    await WriteJsonAsync(context, status, stored).ConfigureAwait(false);
                    return;
                case IdempotencyStore.Outcome.InProgress:
                    await ErrorAsync(context, StatusCodes.Status409Conflict, "A request with this Idempotency-Key is in progress").ConfigureAwait(false);
                    return;
            }
        }

        AllowLargeBodies(context);
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        using var batch = new EventBatch(_options.MaxEventBytes, tenant, now);
        bool complete = false;
        try
        {
            complete = await ReadBatchAsync(request.BodyReader, ndjson, batch, context.RequestAborted).ConfigureAwait(false);
            if (!complete)
            {
                // Nothing of the batch counts (a retry must be able to send it whole); the refusal does.
                await CountTooLargeAsync(default).ConfigureAwait(false);
                await ErrorAsync(context, StatusCodes.Status413PayloadTooLarge, TooLarge()).ConfigureAwait(false);
                return;
            }

            await batch.CommitAsync(_source.Writer, (uint)(now / 1000)).ConfigureAwait(false);
            string response = Accepted(batch);
            if (!string.IsNullOrEmpty(key))
            {
                _idempotency.Complete(scope, key, StatusCodes.Status202Accepted, response);
            }

            Log.Ingested(_logger, batch.Accepted, batch.Rejected);
            await WriteJsonAsync(context, StatusCodes.Status202Accepted, response).ConfigureAwait(false);
        }
        finally
        {
            if (!complete && !string.IsNullOrEmpty(key))
            {
                _idempotency.Abandon(scope, key);
            }
        }
    }

    public async Task StatsAsync(HttpContext context)
    {
        string? site = context.Request.Query["site_id"];
        if (string.IsNullOrEmpty(site))
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, "Missing required parameter: site_id").ConfigureAwait(false);
            return;
        }

        DateOnly? date = null;
        string? dateText = context.Request.Query["date"];
        if (!string.IsNullOrEmpty(dateText))
        {
            if (!DateOnly.TryParseExact(dateText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly parsed))
            {
                await ErrorAsync(context, StatusCodes.Status400BadRequest, "Invalid date: expected YYYY-MM-DD").ConfigureAwait(false);
                return;
            }

            date = parsed;
        }

        if (!TryAuthenticate(context, out string? tenant))
        {
            await ErrorAsync(context, StatusCodes.Status401Unauthorized, "Missing or invalid API key").ConfigureAwait(false);
            return;
        }

        if (tenant is not null && tenant != site)
        {
            await ErrorAsync(context, StatusCodes.Status403Forbidden, "Forbidden: this API key may not read this site_id").ConfigureAwait(false);
            return;
        }

        SiteStats stats;
        try
        {
            stats = await _clickHouse.StatsAsync(site, date, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            // The driver throws its own types for server errors, HttpRequestException for the network.
            Log.StatsFailed(_logger, ex);
            await ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "ClickHouse is unavailable").ConfigureAwait(false);
            return;
        }

        string answer = Json(json =>
        {
            json.WriteStartObject();
            json.WriteString("site_id", site);
            if (date is { } d)
            {
                json.WriteString("date", d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }
            else
            {
                json.WriteNull("date");
            }

            json.WriteNumber("total_views", stats.TotalViews);
            json.WriteNumber("unique_users", stats.UniqueUsers);
            json.WriteStartArray("top_paths");
            foreach ((string path, long views) in stats.TopPaths)
            {
                json.WriteStartObject();
                json.WriteString("path", path);
                json.WriteNumber("views", views);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });

        await WriteJsonAsync(context, StatusCodes.Status200OK, answer).ConfigureAwait(false);
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
    private async Task<bool> ReadBatchAsync(PipeReader body, bool ndjson, EventBatch batch, CancellationToken cancellationToken)
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
            total += buffer.Slice(0, consumed).Length;
            body.AdvanceTo(consumed, buffer.End);
            if (read.IsCompleted)
            {
                reader.Finish();
                return true;
            }
        }
    }

    private bool TryAuthenticate(HttpContext context, out string? tenant)
    {
        tenant = null;
        if (!_keys.Enabled)
        {
            return true;
        }

        tenant = _keys.Authenticate(context.Request);
        return tenant is not null;
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

    /// <summary>Cold paths (answers, errors): a small JSON document as a string.</summary>
    private static string Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, s_json))
        {
            write(json);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static Task ErrorAsync(HttpContext context, int status, string message) => WriteJsonAsync(context, status, Json(json =>
    {
        json.WriteStartObject();
        json.WriteString("error", message);
        json.WriteEndObject();
    }));

    private static Task WriteJsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json, context.RequestAborted);
    }

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

        [LoggerMessage(311, LogLevel.Warning, "GET /stats failed: ClickHouse did not answer")]
        public static partial void StatsFailed(ILogger logger, Exception exception);
    }
}

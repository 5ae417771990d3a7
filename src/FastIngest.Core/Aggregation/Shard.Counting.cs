using System.IO.Hashing;
using FastIngest.Core.Aggregation.Aggregates;
using FastIngest.Core.Ingest;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Agents;
using FastIngest.Core.Parsing.Referrers;

namespace FastIngest.Core.Aggregation;

/// <summary>
/// What each message counts into: the shard resolves its tenant, asks the <see cref="MessageDecoder"/>
/// to decode it, and hands what comes back to the aggregates it feeds.
/// </summary>
internal sealed partial class Shard
{
    // DateTime columns hold 1970..2106: anything else is a broken clock, not a request.
    private const ulong MaxTimestampMs = uint.MaxValue * 1000UL;

    /// <summary>Counts every message of the batch. Synchronous and allocation-free once warm.</summary>
    public void Process(IngestBatch batch)
    {
        IngestSource source = batch.Source;
        foreach (ref readonly IngestEntry entry in batch.Entries)
        {
            ReadOnlySpan<byte> body = batch.Body(in entry);
            if (entry.Kind == MessageKind.Rejected)
            {
                // A reject names its tenant only if the tenant may be admitted: invalid input with invented
                // tenants must not fill the table either.
                InternedName? named = entry.TenantLength > 0 && ResolveTenant(source, in entry, entry.TenantHash, batch.Tenant(in entry), out InternedName t) == RejectReason.None ? t : null;
                _rejects.Count(source, named, entry.Reject, entry.Kind, body, entry.ArrivedAt);
                continue;
            }

            // A host-tenant line names its tenant inside the body: it is known only once decoded.
            InternedName? tenant = null;
            if (entry.Kind != MessageKind.NginxJsonHostTenant)
            {
                RejectReason refused = ResolveTenant(source, in entry, entry.TenantHash, batch.Tenant(in entry), out InternedName found);
                if (refused != RejectReason.None)
                {
                    _rejects.Count(source, null, refused, entry.Kind, body, entry.ArrivedAt);
                    continue;
                }

                tenant = found;
            }

            // The decoder references the line's plain values in the batch's buffer instead of copying them
            // (issue 15, item 4): everything below reads them before the next entry, and what is kept
            // (tenants, paths, pixel keys) is copied by the name tables.
            RejectReason reason = _decoder.Decode(entry.Kind, entry.Format, batch.Buffer, entry.BodyStart, entry.BodyLength, out DecodedMessage message);
            if (reason != RejectReason.None)
            {
                _rejects.Count(source, tenant, reason, entry.Kind, body, entry.ArrivedAt);
                continue;
            }

            if (tenant is null)
            {
                ReadOnlySpan<byte> host = message.HostTenant;
                RejectReason refused = ResolveTenant(source, in entry, XxHash3.HashToUInt64(host), host, out InternedName found);
                if (refused != RejectReason.None)
                {
                    _rejects.Count(source, null, refused, entry.Kind, body, entry.ArrivedAt);
                    continue;
                }

                tenant = found;
            }

            if ((ulong)message.TimestampMs > MaxTimestampMs)
            {
                _rejects.Count(source, tenant, RejectReason.InvalidTime, entry.Kind, body, entry.ArrivedAt);
                continue;
            }

            if (!_window.Admits(message.TimestampMs, entry.ArrivedAt))
            {
                _rejects.Count(source, tenant, RejectReason.TimeOutOfRange, entry.Kind, body, entry.ArrivedAt);
                continue;
            }

            switch (entry.Kind)
            {
                case MessageKind.PixelHit:
                    PixelHit hit = message.Pixel;
                    UserAgentClass pixelAgent = _agentClasses.Classify(hit.UserAgent);
                    ulong pixelVisitor = CountPixel(tenant, hit.Key, hit.TimestampMs, CountsAsVisitor(hit.CountVisitor, pixelAgent), hit.Address, hit.UserAgent);
                    _agents.Count(tenant, hit.TimestampMs, pixelAgent, pixelVisitor);
                    // The page embedding the pixel is its referrer and the page URL its tags are read from; bots
                    // don't count (referrer spam comes from bots), as in CountAccessLog.
                    if (!pixelAgent.IsBot)
                    {
                        _referrers.Count(tenant, hit.TimestampMs, hit.Referer, hit.Host, TaggedSource.QueryOf(hit.Referer), pixelVisitor);
                    }

                    break;
                case MessageKind.Event:
                    _events.Count(tenant, message.Event);
                    break;
                default:
                    CountAccessLog(tenant, in _decoder.Record, source, in entry);
                    break;
            }
        }
    }

    /// <summary>An access-log line counts as traffic, a status, a visitor, a path, a referrer unless a bot sent it, maybe a pixel hit, and maybe a raw row.</summary>
    private void CountAccessLog(InternedName tenant, in AccessLogRecord record, IngestSource source, in IngestEntry entry)
    {
        // Once per line (issue 18), through the shard's cache: most lines repeat an agent seen moments ago.
        UserAgentClass agent = _agentClasses.Classify(record.Text(record.UserAgent));
        uint minute = (uint)(record.TimestampMs / 60_000 * 60);
        _traffic.Count(tenant, minute, in record);
        _statuses.Count(tenant, minute, record.Status);
        _tenantCounters?.Count(tenant, record.Status, record.CacheStatus);
        ulong visitor = 0;
        if (CountsAsVisitor(!record.DoNotTrack, agent))
        {
            visitor = _visitors.Count(tenant, VisitorAggregate.WholeTraffic, record.TimestampMs, record.Text(record.RemoteAddr), record.Text(record.UserAgent));
        }

        // The line's tenant only: an NGINX-served pixel line below is this line, not a second request.
        _agents.Count(tenant, record.TimestampMs, agent, visitor);

        // Null unless some tenant is opted in; then the tenant's answer is cached on its interned name.
        if (_rawRows is not null && _rawRows.Wants(tenant))
        {
            _rawRows.Count(tenant, in record, visitor, agent);
        }

        if (!record.Path.IsEmpty)
        {
            _paths.Count(tenant, in record);
        }

        // Referrer spam comes from bots: their referrers are not counted (issue 18). The request's query gives
        // the tagged source (a landing page's ?utm_source=…), and nothing else of it is kept (issue 14).
        if (!agent.IsBot)
        {
            _referrers.Count(tenant, record.TimestampMs, record.Text(record.Referer), record.Text(record.Host), record.Text(record.Query), visitor);
        }

        if (record.Path.Length > 3)
        {
            CountNginxPixel(in record, source, in entry, CountsAsVisitor(!record.DoNotTrack, agent));
        }
    }

    /// <summary>A request counts as a visitor unless the browser asked not to be (DNT, GPC) or it is a bot and bots are kept out.</summary>
    private bool CountsAsVisitor(bool tracked, UserAgentClass agent) => tracked && (_countBotsAsVisitors || !agent.IsBot);

    /// <summary>
    /// NGINX-served pixels (<c>location ~ ^/p/ { empty_gif; }</c>) count as pixel hits of the tenant their
    /// URL names, as if FastIngest had served them, besides counting as the NGINX tenant's traffic.
    /// </summary>
    /// <remarks>The URL's tenant is admitted like any other: a pixel URL is a way to invent tenants too.</remarks>
    /// <param name="countVisitor">Whether the line counts as a visitor (not DNT, not a bot kept out).</param>
    private void CountNginxPixel(in AccessLogRecord record, IngestSource source, in IngestEntry entry, bool countVisitor)
    {
        ReadOnlySpan<byte> path = record.Text(record.Path);
        if (record.Status >= 400 || !PixelPath.TryParse(path, out Range tenantRange, out Range keyRange, out _))
        {
            return;
        }

        ReadOnlySpan<byte> tenantName = path[tenantRange];
        if (_pixelTenants.Allows(tenantName) && ResolveTenant(source, in entry, XxHash3.HashToUInt64(tenantName), tenantName, out InternedName tenant) == RejectReason.None)
        {
            CountPixel(tenant, path[keyRange], record.TimestampMs, countVisitor, record.Text(record.RemoteAddr), record.Text(record.UserAgent));
        }
    }

    /// <returns>The hit's visitor hash, or 0 when it counts no visitor (DNT/GPC, no address, a bot kept out).</returns>
    private ulong CountPixel(InternedName tenant, ReadOnlySpan<byte> key, long timestampMs, bool countVisitor, ReadOnlySpan<byte> address, ReadOnlySpan<byte> userAgent)
    {
        int keyId = _pixels.Count(tenant, key, timestampMs);
        return countVisitor ? _visitors.Count(tenant, keyId, timestampMs, address, userAgent) : 0;
    }
}

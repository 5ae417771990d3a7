using System.Text.Json;
using FastIngest.Core.Parsing.Json;

namespace FastIngest.Core.Parsing.Events;

/// <summary>
/// Parses one analytics event, <c>{"site_id","event_type","path"?,"user_id"?,"timestamp"?}</c>, with
/// <see cref="Utf8JsonReader"/>. Unknown properties are skipped; <c>null</c> or "" mean absent. Text
/// values are unescaped into the caller's scratch buffer, which must be at least as long as the JSON.
/// </summary>
internal static class EventJsonParser
{
    public const int MaxSiteIdBytes = 256;
    public const int MaxEventTypeBytes = 128;
    public const int MaxPathBytes = 2048;
    public const int MaxUserIdBytes = 256;

    private enum Field
    {
        Unknown,
        SiteId,
        EventType,
        Path,
        UserId,
        Timestamp,
    }

    public static EventError TryParse(ReadOnlySpan<byte> json, Span<byte> scratch, out ParsedEvent parsed)
    {
        parsed = default;
        Range siteId = default, eventType = default, path = default, userId = default, timestamp = default;
        EventError typeError = EventError.None;
        int used = 0;
        try
        {
            var reader = new Utf8JsonReader(json, isFinalBlock: true, state: default);
            if (!reader.Read())
            {
                return EventError.InvalidJson;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                return reader.Read() ? EventError.InvalidJson : EventError.NotAnObject;
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                Field field = Lookup(ref reader);
                reader.Read();
                if (field == Field.Unknown)
                {
                    reader.Skip();
                    continue;
                }

                bool isString = reader.TokenType == JsonTokenType.String;
                bool isNull = reader.TokenType == JsonTokenType.Null;
                bool acceptable = isString || isNull || (field == Field.UserId && reader.TokenType == JsonTokenType.Number);
                if (!acceptable)
                {
                    typeError = typeError != EventError.None ? typeError : TypeError(field);
                    reader.Skip();
                    continue;
                }

                Range value = isNull ? default : Copy(ref reader, scratch, ref used);
                switch (field)
                {
                    case Field.SiteId:
                        siteId = value;
                        break;
                    case Field.EventType:
                        eventType = value;
                        break;
                    case Field.Path:
                        path = value;
                        break;
                    case Field.UserId:
                        userId = value;
                        break;
                    case Field.Timestamp:
                        timestamp = value;
                        break;
                }
            }

            // isFinalBlock: truncation throws; anything after the object must be nothing but whitespace.
            if (reader.Read())
            {
                return EventError.InvalidJson;
            }
        }
        catch (JsonException)
        {
            return EventError.InvalidJson;
        }

        if (typeError != EventError.None)
        {
            return typeError;
        }

        if (Length(siteId) == 0)
        {
            return EventError.MissingSiteId;
        }

        if (Length(eventType) == 0)
        {
            return EventError.MissingEventType;
        }

        EventError tooLong =
            Length(siteId) > MaxSiteIdBytes ? EventError.SiteIdTooLong
            : Length(eventType) > MaxEventTypeBytes ? EventError.EventTypeTooLong
            : Length(path) > MaxPathBytes ? EventError.PathTooLong
            : Length(userId) > MaxUserIdBytes ? EventError.UserIdTooLong
            : EventError.None;
        if (tooLong != EventError.None)
        {
            return tooLong;
        }

        long? timestampMs = null;
        if (Length(timestamp) > 0)
        {
            if (!Iso8601.TryParseUnixMilliseconds(scratch[timestamp], out long ms) || ms < 0)
            {
                return EventError.InvalidTimestamp;
            }

            timestampMs = ms;
        }

        // A query or fragment may carry a token or an e-mail address: the path is counted without them,
        // as NGINX's request_uri is (issue 14).
        int query = scratch[path].IndexOfAny((byte)'?', (byte)'#');
        if (query >= 0)
        {
            path = new Range(path.Start, path.Start.Value + query);
        }

        parsed = new ParsedEvent { SiteId = siteId, EventType = eventType, Path = path, UserId = userId, TimestampMs = timestampMs };
        return EventError.None;
    }

    private static int Length(Range range) => range.End.Value - range.Start.Value;

    private static Range Copy(ref Utf8JsonReader reader, Span<byte> scratch, ref int used)
    {
        int start = used;
        ReadOnlySpan<byte> raw = reader.HasValueSequence ? default : reader.ValueSpan;
        used += reader.ValueIsEscaped ? JsonUnescaper.Unescape(raw, scratch[used..]) : Copied(raw, scratch[used..]);
        return new Range(start, used);
    }

    private static int Copied(ReadOnlySpan<byte> raw, Span<byte> destination)
    {
        raw.CopyTo(destination);
        return raw.Length;
    }

    private static Field Lookup(ref Utf8JsonReader reader)
    {
        ReadOnlySpan<byte> raw = reader.ValueSpan;
        if (!reader.ValueIsEscaped)
        {
            return Match(raw);
        }

        // Clients never need to escape these names; someone's JSON library might.
        if (raw.Length > 96)
        {
            return Field.Unknown;
        }

        Span<byte> name = stackalloc byte[96];
        return Match(name[..JsonUnescaper.Unescape(raw, name)]);
    }

    private static Field Match(ReadOnlySpan<byte> name) => name switch
    {
        _ when name.SequenceEqual("site_id"u8) => Field.SiteId,
        _ when name.SequenceEqual("event_type"u8) => Field.EventType,
        _ when name.SequenceEqual("path"u8) => Field.Path,
        _ when name.SequenceEqual("user_id"u8) => Field.UserId,
        _ when name.SequenceEqual("timestamp"u8) => Field.Timestamp,
        _ => Field.Unknown,
    };

    private static EventError TypeError(Field field) => field switch
    {
        Field.SiteId => EventError.SiteIdNotString,
        Field.EventType => EventError.EventTypeNotString,
        Field.Path => EventError.PathNotString,
        Field.UserId => EventError.UserIdNotString,
        _ => EventError.TimestampNotString,
    };
}

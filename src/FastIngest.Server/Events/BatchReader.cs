using System.Buffers;
using System.Text.Json;
using FastIngest.Core.Parsing.Events;

namespace FastIngest.Server.Events;

/// <summary>
/// Splits an <c>/ingest</c> body into events as it streams in: NDJSON by line, or a JSON array by
/// element (a <see cref="Utf8JsonReader"/> whose state is carried from read to read). Each event is
/// handed to the <see cref="EventBatch"/>; an element or line that is not yet complete stays unconsumed
/// until the next read brings the rest.
/// </summary>
internal sealed class BatchReader(EventBatch batch, bool ndjson)
{
    private JsonReaderState _state;
    private bool _started;
    private bool _ended;
    private bool _broken;
    private int _line;

    /// <summary>Consumes every complete event of <paramref name="buffer"/>; returns how far it got.</summary>
    public SequencePosition Read(ReadOnlySequence<byte> buffer, bool isCompleted)
    {
        if (_broken)
        {
            // After a syntax error nothing more can be trusted.
            return buffer.End;
        }

        if (_ended)
        {
            // Only whitespace may follow the array; anything else is refused once, not silently dropped.
            var rest = new SequenceReader<byte>(buffer);
            rest.AdvancePastAny((byte)' ', (byte)'\t', (byte)'\r', (byte)'\n');
            if (!rest.End)
            {
                Break(rest.UnreadSequence, EventError.InvalidJson);
            }

            return buffer.End;
        }

        return ndjson ? ReadLines(buffer, isCompleted) : ReadArray(buffer, isCompleted);
    }

    /// <summary>The body has ended: an array that never closed is an error.</summary>
    public void Finish()
    {
        if (!ndjson && !_broken && !_ended)
        {
            batch.Reject(EventError.InvalidJson, default, _line + 1);
        }
    }

    private SequencePosition ReadLines(ReadOnlySequence<byte> buffer, bool isCompleted)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (true)
        {
            if (reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
            {
                AddLine(line);
                continue;
            }

            if (isCompleted && !reader.End)
            {
                AddLine(reader.UnreadSequence);
                reader.AdvanceToEnd();
            }

            return reader.Position;
        }
    }

    private void AddLine(ReadOnlySequence<byte> line)
    {
        _line++;
        // Blank lines (and the CR of CRLF) are not events.
        var probe = new SequenceReader<byte>(line);
        probe.AdvancePastAny((byte)' ', (byte)'\t', (byte)'\r');
        if (!probe.End)
        {
            batch.Add(line, _line);
        }
    }

    private SequencePosition ReadArray(ReadOnlySequence<byte> buffer, bool isCompleted)
    {
        var reader = new Utf8JsonReader(buffer, isCompleted, _state);
        SequencePosition consumed = buffer.Start;
        try
        {
            if (!_started)
            {
                if (!reader.Read())
                {
                    return consumed;
                }

                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    Break(buffer, EventError.InvalidJson);
                    return buffer.End;
                }

                _started = true;
                consumed = reader.Position;
                _state = reader.CurrentState;
            }

            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    _ended = true;
                    return Read(buffer.Slice(reader.Position), isCompleted);
                }

                long start = reader.TokenStartIndex;
                if (!reader.TrySkip())
                {
                    break;
                }

                _line++;
                batch.Add(buffer.Slice(start, reader.Position), _line);
                consumed = reader.Position;
                _state = reader.CurrentState;
            }
        }
        catch (JsonException)
        {
            Break(buffer.Slice(consumed), EventError.InvalidJson);
            return buffer.End;
        }

        return consumed;
    }

    private void Break(ReadOnlySequence<byte> rest, EventError error)
    {
        _broken = true;
        batch.Reject(error, rest, _line + 1);
    }
}

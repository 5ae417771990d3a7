using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using FastIngest.Server.Http;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Pixel;

/// <summary>
/// The pixel door on the connection (<see cref="PixelOptions.Port"/>): Kestrel owns the sockets, this
/// reads HTTP/1.x straight from the connection's <see cref="PipeReader"/> with
/// <see cref="PixelRequestParser"/>, counts through the same <see cref="PixelCounter"/> as the middleware
/// and answers from <see cref="PixelResponses"/>' static buffers. Every complete request of a read is
/// answered, then one flush (pipelining costs one send per read, not per request). Skipping Kestrel's
/// HTTP stack (per-request context, header dictionary, response body stream) is what lets a pixel
/// request cost about what it costs NGINX (issue 15, bench/README.md).
/// </summary>
internal sealed class PixelConnectionHandler : ConnectionHandler
{
    private readonly PixelCounter _counter;
    private readonly ClientAddresses _addresses;
    private readonly PixelOptions _options;

    public PixelConnectionHandler(PixelCounter counter, ClientAddresses addresses, IOptions<PixelOptions> options)
    {
        _counter = counter;
        _addresses = addresses;
        _options = options.Value;
    }

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        try
        {
            await ServeAsync(connection).ConfigureAwait(false);
        }
        catch (ConnectionResetException)
        {
            // The peer went away; the requests it completed are counted.
        }
    }

    private async Task ServeAsync(ConnectionContext connection)
    {
        PipeReader input = connection.Transport.Input;
        PipeWriter output = connection.Transport.Output;
        IPAddress? peer = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        var state = new ConnectionState(peer, _addresses.Trusts(peer));
        using var wait = new CancellationTokenSource();
        // Shutdown: stop waiting for the next request; one in progress is answered first.
        CancellationToken closing = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? default;
        using CancellationTokenRegistration wake = closing.UnsafeRegister(static cts => ((CancellationTokenSource)cts!).Cancel(), wait);
        try
        {
            while (!closing.IsCancellationRequested)
            {
                if (!input.TryRead(out ReadResult result))
                {
                    // An idle keep-alive connection holds a slot: bounded like Kestrel's KeepAliveTimeout.
                    wait.CancelAfter(_options.KeepAliveTimeout);
                    try
                    {
                        result = await input.ReadAsync(wait.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (wait.IsCancellationRequested)
                    {
                        break;
                    }
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                bool open = true, wrote = false;
                while (open)
                {
                    ValueTask counted = Answer(ref buffer, output, state, ref open, ref wrote, out bool needMore);
                    if (!counted.IsCompletedSuccessfully)
                    {
                        // The shards push back: the caller waits, as on every other door.
                        await counted.ConfigureAwait(false);
                    }

                    if (needMore)
                    {
                        break;
                    }
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (wrote)
                {
                    await output.FlushAsync().ConfigureAwait(false);
                }

                if (!open || result.IsCompleted)
                {
                    break;
                }
            }
        }
        finally
        {
            state.Dispose();
        }
    }

    /// <summary>
    /// Reads one request from <paramref name="buffer"/>'s start, answers it and advances past it; synchronous
    /// (the spans live here), returning the count's task for the caller to await only when it pends.
    /// </summary>
    private ValueTask Answer(ref ReadOnlySequence<byte> buffer, PipeWriter output, ConnectionState state, ref bool open, ref bool wrote, out bool needMore)
    {
        needMore = false;
        var reader = new SequenceReader<byte>(buffer);
        PixelParseResult parsed = PixelRequestParser.TryRead(ref reader, _options.MaxRequestHeadBytes, _options.MaxRequestHeaders, state.Scratch(_options.MaxRequestHeadBytes), out PixelRequest request);
        if (parsed == PixelParseResult.NeedMore)
        {
            needMore = true;
            return ValueTask.CompletedTask;
        }

        wrote = true;
        if (parsed != PixelParseResult.Complete)
        {
            open = false;
            PixelResponses.Write(output, parsed == PixelParseResult.TooLarge ? PixelResponse.HeadTooLarge : PixelResponse.BadRequest, bodyless: false, keepAlive: false, http10: false);
            return ValueTask.CompletedTask;
        }

        buffer = buffer.Slice(reader.Position);
        // A body would have to be skipped to find the next request; a pixel never has one, so answer and close.
        open = request.KeepAlive && !request.HasBody;
        bool http10 = !request.Http11;
        bool head = request.Method == PixelMethod.Head;
        bool pixelPath = request.Path.StartsWith("/p/"u8);
        if (request.Method == PixelMethod.Other)
        {
            PixelResponse refusal = pixelPath || request.Path.SequenceEqual("/robots.txt"u8) ? PixelResponse.MethodNotAllowed : PixelResponse.NotFound;
            PixelResponses.Write(output, refusal, bodyless: false, open, http10);
            return ValueTask.CompletedTask;
        }

        if (!pixelPath)
        {
            PixelResponses.Write(output, request.Path.SequenceEqual("/robots.txt"u8) ? PixelResponse.Robots : PixelResponse.NotFound, head, open, http10);
            return ValueTask.CompletedTask;
        }

        IPAddress? client = state.Peer;
        if (state.PeerIsProxy && !request.ForwardedFor.IsEmpty)
        {
            // Behind a known proxy only (a client's own X-Forwarded-For changes nothing); allocates the header's string.
            client = _addresses.Resolve(state.Peer, Encoding.ASCII.GetString(request.ForwardedFor));
        }

        ValueTask counted = _counter.Count(request.Path, client, request.UserAgent, request.Host, request.Referer, !request.DoNotTrack, out bool isPixel);
        // The answer goes out with this read's flush, which waits for the count if it pends.
        PixelResponses.Write(output, isPixel ? PixelResponse.Gif : PixelResponse.NotFound, head, open, http10);
        return counted;
    }

    /// <summary>Per connection: the peer, whether it is a known proxy, and the scratch for a head split across buffers.</summary>
    private sealed class ConnectionState(IPAddress? peer, bool peerIsProxy) : IDisposable
    {
        private byte[]? _scratch;

        public IPAddress? Peer { get; } = peer;

        public bool PeerIsProxy { get; } = peerIsProxy;

        public Span<byte> Scratch(int length) => _scratch ??= ArrayPool<byte>.Shared.Rent(length);

        public void Dispose()
        {
            if (_scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(_scratch);
                _scratch = null;
            }
        }
    }
}

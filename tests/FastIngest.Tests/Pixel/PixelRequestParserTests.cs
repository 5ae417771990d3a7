using System.Buffers;
using System.Text;
using FastIngest.Server.Pixel;

namespace FastIngest.Tests.Pixel;

public sealed class PixelRequestParserTests
{
    private const int MaxHead = 8192;
    private const int MaxHeaders = 64;

    [Fact]
    public void ARequestLineAndThePixelsHeadersAreRead()
    {
        Parsed p = Parse("GET /p/acme/home.gif?r=123 HTTP/1.1\r\nHost: x\r\nUser-Agent: Agent/1 (X11)\r\nX-Forwarded-For: 10.0.0.1, 10.0.0.2\r\nAccept: */*\r\n\r\n");
        Assert.Equal(PixelParseResult.Complete, p.Result);
        Assert.Equal(PixelMethod.Get, p.Method);
        Assert.Equal("/p/acme/home.gif", p.Path);
        Assert.Equal("Agent/1 (X11)", p.UserAgent);
        Assert.Equal("10.0.0.1, 10.0.0.2", p.ForwardedFor);
        Assert.True(p.KeepAlive);
        Assert.True(p.Http11);
        Assert.False(p.DoNotTrack);
        Assert.False(p.HasBody);
        Assert.Equal(p.Length, p.Consumed);
    }

    [Theory]
    [InlineData("GET", "Get")]
    [InlineData("HEAD", "Head")]
    [InlineData("POST", "Other")]
    [InlineData("get", "Other")]
    public void MethodsAreCaseSensitiveAndOnlyGetAndHeadAreServed(string method, string expected) =>
        Assert.Equal(expected, Parse($"{method} /p/a/b.gif HTTP/1.1\r\nHost: x\r\n\r\n").Method.ToString());

    [Theory]
    [InlineData("DNT: 1", true)]
    [InlineData("dnt: 1", true)]
    [InlineData("Sec-GPC: 1", true)]
    [InlineData("sec-gpc:1", true)]
    [InlineData("DNT: 0", false)]
    [InlineData("Sec-GPC: yes", false)]
    public void DntAndGpcMeanDoNotTrackOnlyWhenOne(string header, bool expected) =>
        Assert.Equal(expected, Parse($"GET /p/a/b.gif HTTP/1.1\r\nHost: x\r\n{header}\r\n\r\n").DoNotTrack);

    [Theory]
    [InlineData("HTTP/1.1", "", true)]
    [InlineData("HTTP/1.1", "Connection: close\r\n", false)]
    [InlineData("HTTP/1.1", "Connection: Keep-Alive, Close\r\n", false)]
    [InlineData("HTTP/1.0", "", false)]
    [InlineData("HTTP/1.0", "Connection: keep-alive\r\n", true)]
    public void KeepAliveFollowsTheVersionAndTheConnectionHeader(string version, string connection, bool keepAlive) =>
        Assert.Equal(keepAlive, Parse($"GET /p/a/b.gif {version}\r\nHost: x\r\n{connection}\r\n").KeepAlive);

    [Theory]
    [InlineData("GET /p/a/b.gif HTTP/2.0\r\nHost: x\r\n\r\n")]
    [InlineData("GET p/a/b.gif HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("GET http://x/p/a/b.gif HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("GET /p/a/b.gif\r\nHost: x\r\n\r\n")]
    [InlineData("GET /p/a/b.gif HTTP/1.1\r\n\r\n")]
    [InlineData("GET /p/a/b.gif HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n")]
    [InlineData("GET /p/a/b.gif HTTP/1.1\r\nHost: x\r\nUser-Agent : a\r\n\r\n")]
    [InlineData("GET /p/a/b.gif HTTP/1.1\r\nHost: x\r\nUser-Agent: a\r\n folded\r\n\r\n")]
    [InlineData("GET /p/a/b.gif HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n")]
    public void MalformedRequestsAreBadRequests(string request) =>
        Assert.Equal(PixelParseResult.BadRequest, Parse(request).Result);

    [Fact]
    public void HttpTenNeedsNoHost() =>
        Assert.Equal(PixelParseResult.Complete, Parse("GET /robots.txt HTTP/1.0\r\n\r\n").Result);

    [Theory]
    [InlineData("Content-Length: 5", true)]
    [InlineData("Content-Length: 0", false)]
    [InlineData("Transfer-Encoding: chunked", true)]
    public void AnnouncedBodiesAreNoticed(string header, bool hasBody) =>
        Assert.Equal(hasBody, Parse($"POST /p/a/b.gif HTTP/1.1\r\nHost: x\r\n{header}\r\n\r\n").HasBody);

    [Fact]
    public void EveryTruncatedPrefixNeedsMoreAndConsumesNothing()
    {
        const string Request = "GET /p/acme/home.gif HTTP/1.1\r\nHost: x\r\nUser-Agent: a\r\n\r\n";
        for (int i = 0; i < Request.Length; i++)
        {
            Parsed p = Parse(Request[..i]);
            Assert.Equal(PixelParseResult.NeedMore, p.Result);
            Assert.Equal(0, p.Consumed);
        }
    }

    [Fact]
    public void AHeadLongerThanTheLimitIsTooLargeWhetherCompleteOrNot()
    {
        string big = "GET /p/a/b.gif HTTP/1.1\r\nHost: x\r\nUser-Agent: " + new string('a', MaxHead) + "\r\n";
        Assert.Equal(PixelParseResult.TooLarge, Parse(big).Result);
        Assert.Equal(PixelParseResult.TooLarge, Parse(big + "\r\n").Result);
    }

    [Fact]
    public void TooManyHeaderLinesAreTooLarge()
    {
        string many = string.Concat(Enumerable.Range(0, MaxHeaders).Select(i => $"X-{i}: v\r\n"));
        Assert.Equal(PixelParseResult.TooLarge, Parse($"GET /p/a/b.gif HTTP/1.1\r\nHost: x\r\n{many}\r\n").Result);
        string fewer = string.Concat(Enumerable.Range(1, MaxHeaders - 1).Select(i => $"X-{i}: v\r\n"));
        Assert.Equal(PixelParseResult.Complete, Parse($"GET /p/a/b.gif HTTP/1.1\r\nHost: x\r\n{fewer}\r\n").Result);
    }

    [Fact]
    public void PipelinedRequestsAreReadOneAfterAnotherAcrossSegments()
    {
        string[] requests = ["GET /p/a/1.gif HTTP/1.1\r\nHost: x\r\n\r\n", "HEAD /p/a/2.gif HTTP/1.1\r\nHost: x\r\nDNT: 1\r\n\r\n", "GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n"];
        byte[] all = Encoding.ASCII.GetBytes(string.Concat(requests));
        // Every split point of the buffer into two segments, so heads straddle segments too.
        for (int split = 1; split < all.Length; split++)
        {
            ReadOnlySequence<byte> buffer = TwoSegments(all, split);
            var paths = new List<string>();
            byte[] scratch = new byte[MaxHead];
            while (true)
            {
                var reader = new SequenceReader<byte>(buffer);
                PixelParseResult result = PixelRequestParser.TryRead(ref reader, MaxHead, MaxHeaders, scratch, out PixelRequest request);
                if (result == PixelParseResult.NeedMore)
                {
                    break;
                }

                Assert.Equal(PixelParseResult.Complete, result);
                paths.Add(Encoding.ASCII.GetString(request.Path) + (request.Method == PixelMethod.Head ? " HEAD" : "") + (request.DoNotTrack ? " DNT" : ""));
                buffer = buffer.Slice(reader.Position);
            }

            Assert.Equal(["/p/a/1.gif", "/p/a/2.gif HEAD DNT", "/robots.txt"], paths);
            Assert.Equal(0, buffer.Length);
        }
    }

    private static Parsed Parse(string text)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(text);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        PixelParseResult result = PixelRequestParser.TryRead(ref reader, MaxHead, MaxHeaders, new byte[MaxHead], out PixelRequest r);
        return new Parsed(result, r.Method, Encoding.ASCII.GetString(r.Path), Encoding.ASCII.GetString(r.UserAgent), Encoding.ASCII.GetString(r.ForwardedFor), r.KeepAlive, r.Http11, r.DoNotTrack, r.HasBody, reader.Consumed, bytes.Length);
    }

    private static ReadOnlySequence<byte> TwoSegments(byte[] bytes, int split)
    {
        var first = new Segment(bytes.AsMemory(0, split));
        Segment last = first.Append(bytes.AsMemory(split));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed record Parsed(PixelParseResult Result, PixelMethod Method, string Path, string UserAgent, string ForwardedFor, bool KeepAlive, bool Http11, bool DoNotTrack, bool HasBody, long Consumed, int Length);

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}

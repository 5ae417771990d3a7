namespace FastIngest.Core.ClickHouse;

/// <summary>
/// Hands a ClickHouse response to the thread pool with its body already read. With the runtime's inline
/// socket completions on (the server's pixel port wants them), the continuation of a socket read runs on
/// the epoll thread itself; the driver's code after it, and anything that blocks there on another socket
/// read, would hold that thread and every socket it serves (seen: a start that never listened).
/// </summary>
internal sealed class OffSocketThreadHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        await Task.Yield();
        return response;
    }
}

namespace Burrow.Edge.Forwarding;

/// <summary>
/// How long an upstream lets a keep-alive connection sit idle before it closes it (nginx 75 s by default, Node 5 s,
/// often less), learned from the proxy streams of one tunnel. With inspection off a pooled proxy stream is the
/// upstream's connection; the upstream's FIN crosses the agent and the mux before the edge's pool sees it, so a
/// request sent meanwhile meets a closed connection. SocketsHttpHandler retries such a request only when it had no
/// body; one with a body came back 502 (nginx with <c>keepalive_timeout 1s</c>, 1 in 240 requests timed to it). A
/// proxy stream idle for most of the learned time is therefore not reused, as a client with a shorter idle timeout
/// than its server's would do.
/// </summary>
internal sealed class UpstreamIdleClose
{
    // An end of stream sooner than this after the last byte is a response that closes (Connection: close, HTTP/1.0,
    // a close-delimited body), not an idle timeout.
    private static readonly TimeSpan ShortestIdleClose = TimeSpan.FromMilliseconds(50);

    private long _shortestMilliseconds = long.MaxValue;

    /// <summary>The upstream ended a proxy stream that had carried nothing for <paramref name="idle"/>.</summary>
    public void ObserveClose(TimeSpan idle)
    {
        if (idle < ShortestIdleClose)
        {
            return;
        }

        long milliseconds = (long)idle.TotalMilliseconds;
        long current = Volatile.Read(ref _shortestMilliseconds);
        while (milliseconds < current)
        {
            long seen = Interlocked.CompareExchange(ref _shortestMilliseconds, milliseconds, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>
    /// Whether a proxy stream idle for <paramref name="idle"/> is too close to the upstream's idle close to carry
    /// another request: three quarters of the shortest close seen leaves the FIN time to cross agent and mux.
    /// </summary>
    public bool TooLateToReuse(TimeSpan idle)
    {
        long shortest = Volatile.Read(ref _shortestMilliseconds);
        return shortest != long.MaxValue && idle.TotalMilliseconds >= shortest * 3 / 4;
    }
}

namespace Burrow.Agent.Forwarding;

/// <summary>
/// Follows the HTTP/1.x exchanges of one proxy stream from the bytes pumped between it and the upstream: the
/// inspector's observer (which also records them) or the framing-only <see cref="Http1ExchangeTracker"/>.
/// </summary>
/// <remarks>
/// <see cref="KeepAliveUpstream"/> asks it whether the connection is between exchanges, which is what tells an
/// upstream's idle close (the next request goes on a new connection) from the end of a response framed by the close
/// (the end goes to the edge). Request bytes are shown on one thread, response bytes on another.
/// </remarks>
internal interface IHttpExchangeWatch
{
    /// <summary>Bytes from the edge, about to go to the upstream.</summary>
    void OnRequestBytes(ReadOnlySpan<byte> data);

    /// <summary>Bytes from the upstream, about to go to the edge.</summary>
    void OnResponseBytes(ReadOnlySpan<byte> data);

    /// <summary>The upstream ended its side and the end goes to the edge: a response framed by the close is complete.</summary>
    void OnUpstreamEnded();

    /// <summary>The proxy stream is over.</summary>
    void Complete();

    /// <summary>
    /// Every request seen has been answered in full, nothing of a next one has been seen, and the last answer left the
    /// connection open. False once the watch cannot follow the connection (a protocol switch, bytes it cannot parse).
    /// </summary>
    bool Idle { get; }

    /// <summary>Nothing of a request is waiting in the parser: the next request bytes begin a request line. Asked on the request thread.</summary>
    bool AtRequestStart { get; }

    /// <summary>Request heads seen so far (so the index of the next request, asked while <see cref="AtRequestStart"/>).</summary>
    long RequestHeads { get; }

    /// <summary>Final responses that have ended so far: request number N has its answer once this exceeds N.</summary>
    long ResponsesEnded { get; }

    /// <summary>
    /// Some of an answer has gone to the edge (an interim response counts) and its final response has not ended; true also
    /// once the watch cannot follow the connection. Asked on the thread that shows response bytes.
    /// </summary>
    bool Answering { get; }
}

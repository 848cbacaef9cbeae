namespace Burrow.Agent.Http1;

/// <summary>What a <see cref="Http1MessageParser"/> tells as it reads one direction of a connection.</summary>
/// <remarks>Spans passed in are the caller's buffers: valid only during the call.</remarks>
internal interface IHttp1MessageSink
{
    /// <summary>A message's head is complete. For a response parser, <see cref="RequestMethod"/> has been asked first.</summary>
    void OnHead(Http1Head head);

    /// <summary>Body bytes, chunked framing removed.</summary>
    void OnBody(ReadOnlySpan<byte> data);

    /// <summary>The trailer fields of a chunked body (called only when there are some).</summary>
    void OnTrailers(List<KeyValuePair<string, string>> trailers);

    /// <summary>The message (head and body) is complete; the next byte starts the next message.</summary>
    void OnMessageEnd();

    /// <summary>
    /// For a response parser: the method of the request the next response answers (HEAD and CONNECT change how a response
    /// is framed), or <see langword="null"/> when that request is not known.
    /// </summary>
    string? RequestMethod { get; }
}

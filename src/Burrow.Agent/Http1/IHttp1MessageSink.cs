namespace Burrow.Agent.Http1;

/// <summary>What a <see cref="Http1MessageParser"/> tells as it reads one direction of a connection.</summary>
/// <remarks>Spans passed in are the caller's buffers: valid only during the call.</remarks>
internal interface IHttp1MessageSink
{
    /// <summary>A message's head is complete. For a response parser, <see cref="RequestMethod"/> has been asked first.</summary>
    /// <param name="head">What the parser read of it (only the framing fields with <see cref="Http1Limits.FramingFieldsOnly"/>).</param>
    /// <param name="raw">The head as it went by: start line, field lines and the empty line.</param>
    void OnHead(Http1Head head, ReadOnlySpan<byte> raw);

    /// <summary>Body bytes, chunked framing removed.</summary>
    void OnBody(ReadOnlySpan<byte> data);

    /// <summary>The trailer section of a chunked body, raw and already checked (called only when it has fields).</summary>
    void OnTrailers(ReadOnlySpan<byte> trailers);

    /// <summary>The message (head and body) is complete; the next byte starts the next message.</summary>
    void OnMessageEnd();

    /// <summary>
    /// For a response parser: the method of the request the next response answers (HEAD and CONNECT change how a response
    /// is framed), or <see langword="null"/> when that request is not known.
    /// </summary>
    string? RequestMethod { get; }
}

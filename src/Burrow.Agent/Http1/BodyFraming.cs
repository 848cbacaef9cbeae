namespace Burrow.Agent.Http1;

/// <summary>How a message's body is delimited (RFC 9112 §6).</summary>
internal enum BodyFraming
{
    /// <summary>No body: the next byte starts the next message.</summary>
    None,

    /// <summary>Exactly Content-Length bytes.</summary>
    Length,

    /// <summary>Chunked transfer coding, then a trailer section.</summary>
    Chunked,

    /// <summary>Everything until the connection ends (responses only).</summary>
    UntilClose,
}

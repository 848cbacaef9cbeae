namespace Burrow.Edge.Traffic;

/// <summary>
/// One request (http tunnels) or connection (tcp and tls tunnels) the edge served for a tunnel, as its traffic log keeps
/// it: what an operator looks at to see who uses a tunnel and what went wrong.
/// </summary>
/// <param name="Time">When it ended.</param>
/// <param name="Method">The HTTP method, or <c>TCP</c> / <c>TLS</c> for a connection.</param>
/// <param name="Path">The path and query (cut at <see cref="TrafficLog.MaxPathLength"/>), empty for a connection.</param>
/// <param name="Status">The status the client got (0 when it got none: a connection, or a request cut short).</param>
/// <param name="DurationMs">From arrival to the end of the response (or of the connection).</param>
/// <param name="Client">The client's address.</param>
/// <param name="BytesIn">Body bytes from the client (all bytes, for a connection).</param>
/// <param name="BytesOut">Body bytes to the client (all bytes, for a connection).</param>
/// <param name="ErrorCode">The <c>ERR_BURROW_nnnn</c> code when the edge answered with an error itself, else <see langword="null"/>.</param>
public sealed record TrafficEntry(
    DateTimeOffset Time,
    string Method,
    string Path,
    int Status,
    double DurationMs,
    string Client,
    long BytesIn,
    long BytesOut,
    string? ErrorCode);

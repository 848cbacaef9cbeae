using System.Text.Json.Serialization;
using Burrow.Protocol.Errors;

namespace Burrow.Protocol.Messages;

/// <summary>
/// Agent → edge, the first bytes the agent writes on every proxy stream: whether it reached the
/// tunnel's upstream. On success (no <see cref="Error"/>) the upstream's raw bytes follow; on
/// failure the agent closes the stream after it, and the edge answers the public client with the
/// error (for HTTP, a 502 page with <c>ERR_BURROW_3002</c>).
/// </summary>
/// <remarks>
/// The agent writes it as soon as its dial to the upstream ends, so it costs no round trip: the
/// edge may already have sent the request's first bytes, and reads this before the response.
/// </remarks>
public sealed record ProxyResultMessage : ControlMessage
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Type => MessageTypes.ProxyResult;

    /// <summary>Why the agent could not reach its upstream; <see langword="null"/> when it did.</summary>
    public ProtocolError? Error { get; init; }
}

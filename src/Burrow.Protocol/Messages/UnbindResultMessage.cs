using System.Text.Json.Serialization;
using Burrow.Protocol.Errors;

namespace Burrow.Protocol.Messages;

/// <summary>
/// Edge → agent, the optional answer to <see cref="UnbindMessage"/>. An agent must not wait for
/// it: the tunnel stops accepting new public connections as soon as the edge reads the unbind.
/// </summary>
public sealed record UnbindResultMessage : ControlMessage
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Type => MessageTypes.UnbindResult;

    /// <summary>The tunnel that was released.</summary>
    public required string TunnelId { get; init; }

    /// <summary>Why the unbind failed (for example, no such tunnel); <see langword="null"/> on success.</summary>
    public ProtocolError? Error { get; init; }
}

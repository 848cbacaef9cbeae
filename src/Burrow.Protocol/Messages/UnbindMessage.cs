using System.Text.Json.Serialization;

namespace Burrow.Protocol.Messages;

/// <summary>Agent → edge: stop serving a tunnel. The edge may answer with <see cref="UnbindResultMessage"/>.</summary>
public sealed record UnbindMessage : ControlMessage
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Type => MessageTypes.Unbind;

    /// <summary>The <see cref="BindResultMessage.TunnelId"/> to release.</summary>
    public required string TunnelId { get; init; }
}

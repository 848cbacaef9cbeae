using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using Burrow.Protocol.Errors;

namespace Burrow.Protocol.Messages;

/// <summary>Edge → agent: something the user should know that is not the answer to a request.</summary>
public sealed record NoticeMessage : ControlMessage
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Type => MessageTypes.Notice;

    /// <summary>What happened; see <see cref="NoticeKinds"/>. Unknown kinds are shown and otherwise ignored.</summary>
    public required string Kind { get; init; }

    /// <summary>A human-readable sentence for the console and logs.</summary>
    [AllowNull]
    public string Message { get; init => field = value ?? ""; } = "";

    /// <summary>The tunnel concerned, when the notice is about one tunnel.</summary>
    public string? TunnelId { get; init; }

    /// <summary>The error behind the notice, when there is one (for example why a tunnel was evicted).</summary>
    public ProtocolError? Error { get; init; }
}

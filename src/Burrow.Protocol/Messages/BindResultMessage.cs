using System.Text.Json.Serialization;
using Burrow.Protocol.Errors;

namespace Burrow.Protocol.Messages;

/// <summary>Edge → agent, the answer to <see cref="BindMessage"/>: the public URLs, or an error.</summary>
public sealed record BindResultMessage : ControlMessage
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Type => MessageTypes.BindResult;

    /// <summary>The <see cref="BindMessage.RequestId"/> this answers.</summary>
    public required string RequestId { get; init; }

    /// <summary>The edge's id for the new tunnel; proxy streams and <see cref="UnbindMessage"/> name it. Absent on error.</summary>
    public string? TunnelId { get; init; }

    /// <summary>The public URLs, for example <c>https://demo.example.com</c> or <c>tcp://example.com:20001</c>. Absent on error.</summary>
    public IReadOnlyList<string>? Urls { get; init; }

    /// <summary>Why the bind was refused; <see langword="null"/> on success.</summary>
    public ProtocolError? Error { get; init; }
}

using System.Text.Json.Serialization;

namespace Burrow.Protocol.Messages;

/// <summary>
/// A message of the Burrow protocol: one length-prefixed JSON object whose <c>type</c> field names
/// the concrete record. Control messages travel on the control stream; <see cref="ProxyHeader"/>
/// opens each proxy stream with the same framing.
/// </summary>
/// <remarks>
/// Receivers ignore fields they do not know, so optional fields can be added without a new
/// protocol version. See <c>docs/protocol.md</c> for the wire form of every message.
/// </remarks>
[JsonPolymorphic(
    TypeDiscriminatorPropertyName = "type",
    UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(AuthMessage), MessageTypes.Auth)]
[JsonDerivedType(typeof(AuthResultMessage), MessageTypes.AuthResult)]
[JsonDerivedType(typeof(BindMessage), MessageTypes.Bind)]
[JsonDerivedType(typeof(BindResultMessage), MessageTypes.BindResult)]
[JsonDerivedType(typeof(UnbindMessage), MessageTypes.Unbind)]
[JsonDerivedType(typeof(UnbindResultMessage), MessageTypes.UnbindResult)]
[JsonDerivedType(typeof(NoticeMessage), MessageTypes.Notice)]
[JsonDerivedType(typeof(ProxyHeader), MessageTypes.Proxy)]
[JsonDerivedType(typeof(ProxyResultMessage), MessageTypes.ProxyResult)]
[JsonDerivedType(typeof(TunnelStatsMessage), MessageTypes.TunnelStats)]
public abstract record ControlMessage
{
    /// <summary>The value of the <c>type</c> field this message is sent with.</summary>
    [JsonIgnore]
    public abstract string Type { get; }
}

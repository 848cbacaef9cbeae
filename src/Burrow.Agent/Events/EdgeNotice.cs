using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;

namespace Burrow.Agent.Events;

/// <summary>A <c>notice</c> from the edge: something the user should know that answers no request of the agent's.</summary>
/// <param name="Kind">What happened; see <see cref="NoticeKinds"/> (other kinds may come from newer edges).</param>
/// <param name="Message">The edge's sentence for it.</param>
/// <param name="TunnelId">The edge's id of the tunnel concerned, when it is about one tunnel.</param>
/// <param name="Error">The error behind it, when there is one.</param>
public sealed record EdgeNotice(string Kind, string Message, string? TunnelId, ProtocolError? Error) : AgentEvent;

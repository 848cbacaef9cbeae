using Burrow.Protocol.Errors;

namespace Burrow.Agent.Events;

/// <summary>
/// The edge refused to bind a tunnel. A bad option or a taken name stops the agent (exit code 1); a draining edge
/// or an unavailable control store makes it reconnect and try again.
/// </summary>
/// <param name="TunnelName">The tunnel's name.</param>
/// <param name="Error">The edge's answer.</param>
public sealed record BindFailed(string TunnelName, ProtocolError Error) : AgentEvent;

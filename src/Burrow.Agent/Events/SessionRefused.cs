using Burrow.Protocol.Errors;

namespace Burrow.Agent.Events;

/// <summary>The edge refused to authenticate the agent.</summary>
/// <param name="Error">The edge's answer.</param>
/// <param name="GivingUp">
/// True when retrying cannot help (a missing, wrong, revoked or expired authtoken, an unsupported protocol version):
/// the agent stops with exit code 1. False when it tries again after a delay.
/// </param>
public sealed record SessionRefused(ProtocolError Error, bool GivingUp) : AgentEvent;

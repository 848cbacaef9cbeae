using Burrow.Protocol.Errors;

namespace Burrow.Agent.Events;

/// <summary>The inspector and agent API could not listen; the tunnels work without them.</summary>
/// <param name="Error">Why.</param>
public sealed record WebInterfaceFailed(ProtocolError Error) : AgentEvent;

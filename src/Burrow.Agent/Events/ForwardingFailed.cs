using Burrow.Protocol.Errors;

namespace Burrow.Agent.Events;

/// <summary>
/// One public connection of a tcp or tls tunnel could not be served (the upstream did not answer, the client's TLS
/// was refused). Such tunnels have no error page, so only the person running the agent can see it. Raised once per
/// connection: it can come often.
/// </summary>
/// <param name="Error">What failed.</param>
public sealed record ForwardingFailed(ProtocolError Error) : AgentEvent;

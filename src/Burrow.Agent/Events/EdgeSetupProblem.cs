using Burrow.Protocol.Errors;

namespace Burrow.Agent.Events;

/// <summary>
/// The edge's host name does not resolve, or its certificate is not trusted: waiting will not mend either, the
/// person has to change the address or say whom to trust.
/// </summary>
/// <param name="Error">What is wrong and with which edge.</param>
/// <param name="GivingUp">
/// True on the last of a few tries (unless the agent was told to retry forever): the agent stops with exit code 1.
/// </param>
public sealed record EdgeSetupProblem(ProtocolError Error, bool GivingUp) : AgentEvent;

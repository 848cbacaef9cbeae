namespace Burrow.Agent.Events;

/// <summary>
/// The edge resumed the session it still held for this agent: every tunnel keeps its URLs. When the agent process
/// itself restarted, <see cref="TunnelStarted"/> follows for each URL taken back from the saved state.
/// </summary>
/// <param name="AfterReconnect">True when this run was online before (the link was lost and regained); false for a fresh process.</param>
public sealed record SessionResumed(bool AfterReconnect) : AgentEvent;

namespace Burrow.Agent.Status;

/// <summary>Where the agent's session with the edge stands.</summary>
public enum SessionStatus
{
    /// <summary>Dialling and authenticating for the first time.</summary>
    Connecting,

    /// <summary>Authenticated and every tunnel bound: traffic flows.</summary>
    Online,

    /// <summary>The link was lost or refused; waiting to try again (<see cref="AgentStatus.Reason"/> says why).</summary>
    Reconnecting,

    /// <summary>Asked to stop: closing the session and the tunnels (a second Ctrl+C quits at once).</summary>
    Stopping,

    /// <summary>The agent has stopped (cancelled, or a permanent error).</summary>
    Stopped,
}

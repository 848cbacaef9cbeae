namespace Burrow.Edge.Forwarding;

/// <summary>No live agent connection for the tunnel: it disconnected, or is inside its resume grace period.</summary>
internal sealed class AgentUnavailableException : IOException
{
    public AgentUnavailableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

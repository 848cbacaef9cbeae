using Burrow.Agent.Session;
using Burrow.Agent.Web;
using Microsoft.Extensions.Logging;

namespace Burrow.Agent.Events;

/// <summary>Where the agent's parts raise their <see cref="AgentEvent"/>s: one observer, the runner's.</summary>
internal sealed class AgentEventSource
{
    private readonly Action<AgentEvent> _raise;
    private readonly ILogger _logger;

    /// <param name="raise">Hands each event to the observer; called on the agent's own threads, possibly at the same time.</param>
    /// <param name="logger">For the structured log line each started tunnel also gets.</param>
    public AgentEventSource(Action<AgentEvent> raise, ILogger logger)
    {
        _raise = raise;
        _logger = logger;
    }

    public void Raise(AgentEvent agentEvent) => _raise(agentEvent);

    /// <summary>Raises <see cref="TunnelStarted"/> for each of the tunnel's URLs, each with its log line.</summary>
    public void TunnelStarted(ActiveTunnel tunnel)
    {
        foreach (string url in tunnel.Urls)
        {
            _raise(new TunnelStarted(tunnel.Definition.Name, url, tunnel.Display));
            LogLine.Info(_logger, 6101, "started tunnel", ("name", tunnel.Definition.Name), ("addr", tunnel.Display), ("url", url));
        }
    }
}

using System.Text;
using Burrow.Agent.Events;

namespace Burrow.Bench.IdleTunnels;

/// <summary>Listens to the agents' events, so the driver can count bound tunnels and show what went wrong.</summary>
internal sealed class EventTally
{
    private readonly StringBuilder _errors = new();
    private readonly Lock _lock = new();
    private int _httpUrls;

    /// <summary>Public http:// URLs bound so far, over every agent.</summary>
    public int HttpUrls => Volatile.Read(ref _httpUrls);

    public void Add(AgentEvent agentEvent)
    {
        switch (agentEvent)
        {
            case TunnelStarted started when started.Url.StartsWith("http://", StringComparison.Ordinal):
                Interlocked.Increment(ref _httpUrls);
                break;
            case BindFailed { Error: var error }:
                AddError(error.ToString());
                break;
            case SessionRefused { Error: var error }:
                AddError(error.ToString());
                break;
            case EdgeSetupProblem { Error: var error }:
                AddError(error.ToString());
                break;
            case CannotReachEdge unreachable:
                AddError(unreachable.Reason);
                break;
            default:
                break;
        }
    }

    public string Errors()
    {
        lock (_lock)
        {
            return _errors.ToString();
        }
    }

    private void AddError(string text)
    {
        lock (_lock)
        {
            _errors.Append(text).Append(' ');
        }
    }
}

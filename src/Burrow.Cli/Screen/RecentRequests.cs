using Burrow.Agent.Status;

namespace Burrow.Cli.Screen;

/// <summary>The last requests the agent saw answered, newest first, bounded; fed by <c>AgentRunner.RequestCompleted</c>.</summary>
internal sealed class RecentRequests
{
    private readonly Lock _lock = new();
    private readonly LinkedList<CompletedRequest> _requests = new();
    private readonly int _capacity;

    public RecentRequests(int capacity = 64)
    {
        _capacity = capacity;
    }

    public void Add(CompletedRequest request)
    {
        lock (_lock)
        {
            _requests.AddFirst(request);
            if (_requests.Count > _capacity)
            {
                _requests.RemoveLast();
            }
        }
    }

    public IReadOnlyList<CompletedRequest> Newest(int count)
    {
        lock (_lock)
        {
            return [.. _requests.Take(count)];
        }
    }
}

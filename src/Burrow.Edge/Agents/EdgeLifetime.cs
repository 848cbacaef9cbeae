using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;

namespace Burrow.Edge.Agents;

/// <summary>
/// The edge's shutdown state, shared by the listeners: whether it is draining, how many public
/// requests are in flight, and a token that fires when the edge stops for good.
/// </summary>
internal sealed class EdgeLifetime : IDisposable
{
    public static readonly NoticeMessage DrainingNotice = new()
    {
        Kind = NoticeKinds.Draining,
        Message = "This edge is shutting down; requests in flight may finish, then reconnect.",
        Error = ErrorCodes.EdgeDraining.ToError(),
    };

    private readonly CancellationTokenSource _stopped = new();
    private readonly Lock _lock = new();
    private TaskCompletionSource _idle = NewCompleted();
    private int _inFlight;
    private int _draining;

    public bool Draining => Volatile.Read(ref _draining) == 1;

    /// <summary>This edge's node name when it is a node of a cluster: its drain then tells agents to move to another node.</summary>
    public string? NodeName { get; set; }

    /// <summary>What a new session or bind is refused with while draining.</summary>
    public ProtocolError DrainingError => NodeName is { } node ? ErrorCodes.NodeDraining.ToError(node) : ErrorCodes.EdgeDraining.ToError();

    /// <summary>What the agents are told when the drain starts: a cluster node asks them to move (<c>notice: move</c>).</summary>
    public NoticeMessage DrainNotice => NodeName is { } node
        ? new NoticeMessage
        {
            Kind = NoticeKinds.Move,
            Message = $"Node {node} is draining; open a leg on another node, then close this one.",
            Error = ErrorCodes.NodeDraining.ToError(node),
        }
        : DrainingNotice;

    public CancellationToken Stopped => _stopped.Token;

    public int InFlight => Volatile.Read(ref _inFlight);

    public void BeginDraining() => Volatile.Write(ref _draining, 1);

    public void Stop() => _stopped.Cancel();

    public void Dispose() => _stopped.Dispose();

    public void RequestStarted()
    {
        lock (_lock)
        {
            if (_inFlight++ == 0)
            {
                _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    public void RequestEnded()
    {
        lock (_lock)
        {
            if (--_inFlight == 0)
            {
                _idle.TrySetResult();
            }
        }
    }

    public Task WaitForIdleAsync(CancellationToken cancellationToken)
    {
        Task idle;
        lock (_lock)
        {
            idle = _idle.Task;
        }

        return idle.WaitAsync(cancellationToken).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private static TaskCompletionSource NewCompleted()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }
}

using System.Threading.Tasks.Sources;

namespace Burrow.Mux.Sessions;

/// <summary>
/// Wakes the session's single writer when work is queued: an auto-reset event that many threads
/// set and one waits on, with no allocation per wait (a reusable <see cref="IValueTaskSource"/>).
/// </summary>
internal sealed class WriterSignal : IValueTaskSource<bool>
{
    private const int Idle = 0;
    private const int Signaled = 1;
    private const int Waiting = 2;

    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private int _state;

    /// <summary>Wakes the waiter, or lets its next wait pass at once.</summary>
    /// <param name="inline">
    /// When the writer is parked, run it on this thread instead of waking a thread-pool thread:
    /// it writes what is queued (this caller's frame first among them), flushes, and comes back
    /// here when it parks again or its flush has to wait. A user's write then costs no thread
    /// hand-off and completes before it returns. Only for callers that hold no lock and may do
    /// the transport write themselves (a user's write, read or accept); the session's own loops
    /// and timers wake the writer asynchronously, so they never stall behind a send.
    /// </param>
    public void Set(bool inline = false)
    {
        while (true)
        {
            switch (Volatile.Read(ref _state))
            {
                case Signaled:
                    return;
                case Idle:
                    if (Interlocked.CompareExchange(ref _state, Signaled, Idle) == Idle)
                    {
                        return;
                    }

                    break;
                default:
                    if (Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting)
                    {
                        // Only the thread that won the exchange completes the wait, so the mode
                        // is not contended; the writer's next wait (Reset) does not touch it.
                        _core.RunContinuationsAsynchronously = !inline;
                        _core.SetResult(inline);
                        return;
                    }

                    break;
            }
        }
    }

    /// <summary>
    /// Waits until <see cref="Set"/> is called; only the writer loop calls this, never concurrently.
    /// True when the writer was resumed on the setting caller's thread (an inline set).
    /// </summary>
    public ValueTask<bool> WaitAsync()
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Signaled) == Signaled)
        {
            return new ValueTask<bool>(false);
        }

        _core.Reset();
        if (Interlocked.CompareExchange(ref _state, Waiting, Idle) == Idle)
        {
            return new ValueTask<bool>(this, _core.Version);
        }

        // Set() slipped in between: the state is Signaled; consume it.
        Volatile.Write(ref _state, Idle);
        return new ValueTask<bool>(false);
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);
}

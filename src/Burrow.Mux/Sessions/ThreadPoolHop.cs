using System.Runtime.CompilerServices;

namespace Burrow.Mux.Sessions;

/// <summary>
/// An awaitable that resumes the writer loop on the thread pool, whatever synchronization context
/// the current thread has (Task.Yield would post to one, e.g. a test runner's). One per session,
/// reused: it is itself the work item, so a hop allocates nothing. Only the writer loop awaits it,
/// never twice at once.
/// </summary>
internal sealed class ThreadPoolHop : ICriticalNotifyCompletion, IThreadPoolWorkItem
{
    private Action? _continuation;

    public bool IsCompleted => false;

    public ThreadPoolHop GetAwaiter() => this;

    public void GetResult()
    {
    }

    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    public void UnsafeOnCompleted(Action continuation)
    {
        _continuation = continuation;
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    void IThreadPoolWorkItem.Execute()
    {
        var continuation = _continuation!;
        _continuation = null;
        continuation();
    }
}

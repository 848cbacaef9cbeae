using System.Runtime.CompilerServices;

namespace Burrow.Mux;

/// <summary>
/// An awaitable that always resumes on the thread pool, whatever synchronization context the
/// current thread has (Task.Yield would post to one, e.g. a test runner's).
/// </summary>
internal sealed class ThreadPoolHop : ICriticalNotifyCompletion
{
    public static ThreadPoolHop Instance { get; } = new();

    public bool IsCompleted => false;

    public ThreadPoolHop GetAwaiter() => this;

    public void GetResult()
    {
    }

    public void OnCompleted(Action continuation) => ThreadPool.QueueUserWorkItem(static c => c(), continuation, preferLocal: false);

    public void UnsafeOnCompleted(Action continuation) => ThreadPool.UnsafeQueueUserWorkItem(static c => c(), continuation, preferLocal: false);
}

using System.Threading.Tasks.Sources;

namespace Burrow.Mux.Muxado;

/// <summary>
/// The awaitable a stream's pending write waits on, reused for every write of the stream so a
/// write allocates nothing. Continuations run asynchronously: the session's writer completes it
/// and must never run a user's code inline.
/// </summary>
internal sealed class WriteCompletionSource : IValueTaskSource
{
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };

    /// <summary>Arms the source for a new write; the caller holds the stream's lock and no write is pending.</summary>
    public short Reset()
    {
        _core.Reset();
        return _core.Version;
    }

    public ValueTask Wait(short version) => new(this, version);

    /// <summary>Completes the write; called once per write, by whoever cleared its pending flag.</summary>
    public void SetResult() => _core.SetResult(true);

    public void SetException(Exception error) => _core.SetException(error);

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);
}

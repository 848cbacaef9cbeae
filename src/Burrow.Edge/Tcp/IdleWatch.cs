namespace Burrow.Edge.Tcp;

/// <summary>
/// Closes a tcp/tls tunnel connection that carries no byte either way for its idle timeout. The
/// data path only stores a timestamp per read and write (<see cref="Touch"/>, no allocation); one
/// timer per connection wakes at the earliest moment the connection could have gone idle, looks at
/// the last timestamp, and either fires <c>onIdle</c> once or sleeps again for the remainder —
/// the same scheme as YARP's activity timeout, without a timer reset per read.
/// </summary>
internal sealed class IdleWatch : IDisposable
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly Action _onIdle;
    private readonly ITimer _timer;
    private long _lastActivity;
    private int _done;

    private IdleWatch(TimeProvider time, TimeSpan timeout, Action onIdle)
    {
        _time = time;
        _timeout = timeout;
        _onIdle = onIdle;
        _lastActivity = time.GetTimestamp();
        _timer = time.CreateTimer(static state => ((IdleWatch)state!).OnTimer(), this, timeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>A watch calling <paramref name="onIdle"/> (once) after <paramref name="timeout"/> of silence, or <see langword="null"/> when there is no timeout.</summary>
    public static IdleWatch? Start(TimeProvider time, TimeSpan? timeout, Action onIdle) =>
        timeout is { } value && value > TimeSpan.Zero ? new IdleWatch(time, value, onIdle) : null;

    /// <summary>Records that bytes moved now.</summary>
    public void Touch() => Volatile.Write(ref _lastActivity, _time.GetTimestamp());

    /// <summary>Stops the timer; the connection has ended, so a callback already under way does nothing.</summary>
    public void Dispose()
    {
        Volatile.Write(ref _done, 1);
        _timer.Dispose();
    }

    private void OnTimer()
    {
        TimeSpan silent = _time.GetElapsedTime(Volatile.Read(ref _lastActivity));
        if (silent < _timeout)
        {
            try
            {
                _timer.Change(_timeout - silent, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // The connection ended meanwhile.
            }

            return;
        }

        if (Interlocked.Exchange(ref _done, 1) == 0)
        {
            _onIdle();
        }
    }
}

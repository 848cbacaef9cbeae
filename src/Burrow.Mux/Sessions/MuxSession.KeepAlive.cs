using Burrow.Mux.Errors;
using Burrow.Mux.Frames;
using Burrow.Mux.Streams;

namespace Burrow.Mux.Sessions;

// Pings, RTT and the timer that enforces keepalive and stream timeouts.
public sealed partial class MuxSession
{
    private readonly Lock _pingLock = new();
    private readonly Dictionary<uint, PendingPing> _pendingPings = [];
    private uint _nextPingId;
    private long _smoothedRttTicks;
    private long _lastRttTicks = -1;

    /// <summary>The round-trip time of the latest answered ping, or null before the first one.</summary>
    public TimeSpan? Rtt
    {
        get
        {
            var ticks = Interlocked.Read(ref _lastRttTicks);
            return ticks < 0 ? null : Options.TimeProvider.GetElapsedTime(0, ticks);
        }
    }

    /// <summary>Smoothed RTT in <see cref="TimeProvider"/> timestamp ticks (0 before the first ping), for window auto-tuning.</summary>
    internal long SmoothedRttTicks => Interlocked.Read(ref _smoothedRttTicks);

    /// <summary>Sends a ping and returns the time until the peer's answer.</summary>
    /// <exception cref="MuxException">The session ended before the answer.</exception>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        if (IsClosed)
        {
            throw SessionClosedError();
        }

        var pending = new PendingPing(Now);
        uint id;
        lock (_pingLock)
        {
            id = ++_nextPingId;
            _pendingPings[id] = pending;
        }

        EnqueueControl(new FrameHeader(FrameType.Ping, FrameFlags.Syn, 0, id));
        try
        {
            return await pending.Answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_pingLock)
            {
                _pendingPings.Remove(id);
            }
        }
    }

    private void OnPing(in FrameHeader header)
    {
        RequireSessionFrame(header);
        if ((header.Flags & FrameFlags.Syn) != 0)
        {
            EnqueueControl(new FrameHeader(FrameType.Ping, FrameFlags.Ack, 0, header.Length));
            return;
        }

        if ((header.Flags & FrameFlags.Ack) == 0)
        {
            return;
        }

        PendingPing? pending;
        lock (_pingLock)
        {
            _pendingPings.Remove(header.Length, out pending);
        }

        if (pending is null)
        {
            return; // an answer to a ping we gave up on
        }

        var rtt = Now - pending.SentAt;
        Interlocked.Exchange(ref _lastRttTicks, rtt);
        var smoothed = Interlocked.Read(ref _smoothedRttTicks);
        Interlocked.Exchange(ref _smoothedRttTicks, smoothed == 0 ? rtt : ((smoothed * 7) + rtt) / 8);
        pending.Answer.TrySetResult(Options.TimeProvider.GetElapsedTime(pending.SentAt));
    }

    private void FailPendingPings(Exception error)
    {
        PendingPing[] pending;
        lock (_pingLock)
        {
            pending = [.. _pendingPings.Values];
            _pendingPings.Clear();
        }

        foreach (var ping in pending)
        {
            // The keepalive's own ping may have stopped waiting already (it waits on _closed,
            // which Close cancels first); its answer must not then fault unobserved.
            if (ping.Answer.TrySetException(error))
            {
                _ = ping.Answer.Task.Exception;
            }
        }
    }

    /// <summary>
    /// Measures the RTT at once (window auto-tuning needs it), then pings every keepalive interval
    /// and checks stream timeouts once a second.
    /// </summary>
    private async Task TimerLoopAsync()
    {
        var time = Options.TimeProvider;
        var tick = TimeSpan.FromSeconds(1);
        var nextPing = Now;
        Task<TimeSpan>? ping = null;
        var pingSentAt = 0L;
        using var timer = new PeriodicTimer(tick, time);
        try
        {
            do
            {
                if (IsClosed)
                {
                    return;
                }

                var now = Now;
                if (ping is null && now >= nextPing && (Options.EnableKeepAlive || nextPing == 0 || pingSentAt == 0))
                {
                    ping = PingAsync(_closed.Token);
                    pingSentAt = now;
                }

                if (ping is not null)
                {
                    if (ping.IsCompleted)
                    {
                        // It fails only when the session is ending; observe that so it is not reported as unobserved.
                        _ = ping.Exception;
                        ping = null;
                        nextPing = now + (long)(Options.KeepAliveInterval.TotalSeconds * time.TimestampFrequency);
                    }
                    else if (Options.EnableKeepAlive && time.GetElapsedTime(pingSentAt, now) >= Options.KeepAliveTimeout)
                    {
                        Close(
                            new MuxCloseInfo(MuxCloseReason.KeepAliveTimeout, $"the peer did not answer a ping within {Options.KeepAliveTimeout.TotalSeconds:0.###} s (MuxOptions.KeepAliveTimeout)"),
                            GoAwayCode.InternalError);
                        return;
                    }
                }

                CheckStreamTimeouts(now);
            }
            while (await timer.WaitForNextTickAsync(_closed.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (IsClosed)
        {
        }
        finally
        {
            if (ping is not null)
            {
                // Observe the abandoned ping so its failure is not reported as unobserved.
                _ = ping.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            }
        }
    }

    private void CheckStreamTimeouts(long now)
    {
        List<MuxStream>? openTimedOut = null;
        List<MuxStream>? closeTimedOut = null;
        var time = Options.TimeProvider;
        lock (_streamsLock)
        {
            foreach (var stream in _streams.Values)
            {
                if (stream.IsAwaitingAck && time.GetElapsedTime(stream.OpenedAt, now) >= Options.StreamOpenTimeout)
                {
                    (openTimedOut ??= []).Add(stream);
                }
                else if (stream.IsHalfClosedLocally && time.GetElapsedTime(stream.FinSentAt, now) >= Options.StreamCloseTimeout)
                {
                    (closeTimedOut ??= []).Add(stream);
                }
            }
        }

        openTimedOut?.ForEach(static s => s.OnOpenTimedOut());
        closeTimedOut?.ForEach(static s => s.OnCloseTimedOut());
    }

    private sealed class PendingPing(long sentAt)
    {
        public long SentAt { get; } = sentAt;

        public TaskCompletionSource<TimeSpan> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

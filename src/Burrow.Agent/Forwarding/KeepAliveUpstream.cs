using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Burrow.Agent.Telemetry;
using Burrow.Protocol.Pumping;

namespace Burrow.Agent.Forwarding;

/// <summary>
/// The upstream side of an HTTP/1.x proxy stream: the upstream connection, replaced by a new one when the upstream
/// closes it between exchanges, so that the upstream's idle close never reaches the edge's connection pool.
/// </summary>
/// <remarks>
/// <para>
/// A pooled proxy stream at the edge is one upstream connection here. An upstream closes idle keep-alive connections
/// on its own clock (Node after 5 s, nginx after 75 s); the close used to travel to the edge as the proxy stream's end,
/// and a request the edge sent meanwhile met a closed connection: a GET was retried, a POST was lost (502 3007). Now,
/// when the upstream ends a connection while the <see cref="IHttpExchangeWatch"/> says it is idle, the end stays here:
/// the connection is dropped and the next request's first bytes dial a new one. An end in the middle of an exchange,
/// or after a response that closes the connection (HTTP/1.0, <c>Connection: close</c>, a body framed by the close),
/// goes to the edge as before.
/// </para>
/// <para>
/// One race remains and is narrowed, not closed: the upstream's close crossing a request already written. Before it
/// writes a new request the writer asks the socket whether the end has arrived unread (poll, no byte waiting) and
/// if so waits for the reader to retire the connection. What crosses after that is the upstream's to lose, as on the
/// direct path; the edge retries a GET with no body whose connection ended cleanly before any byte of the answer, and
/// so a reset before any byte of the answer is passed on as such a clean end.
/// </para>
/// <para>
/// Reads (responses) and writes (requests) run on the pump's two threads; <see cref="_lock"/> orders a request's first
/// bytes against the reader's decision to retire the connection, so a request is never written to a connection the
/// reader has let go.
/// </para>
/// </remarks>
internal sealed class KeepAliveUpstream : Stream
{
    // How long a writer that saw the upstream's end waits for the reader to act on it.
    private static readonly TimeSpan RetireWait = TimeSpan.FromSeconds(1);

    private readonly IHttpExchangeWatch _watch;
    private readonly Func<CancellationToken, Task<UpstreamConnection?>> _dial;
    private readonly Lock _lock = new();
    private UpstreamConnection? _current;
    // Completed by the writer with the next connection, or with null when there will be none (edge done, aborted).
    private TaskCompletionSource<UpstreamConnection?> _next = NewNext();
    // Completed by the reader once it has acted on the current connection's end.
    private TaskCompletionSource _endSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _edgeDone;
    private bool _closed;
    // Open spans of traced requests, by request number, ended as their responses end (under _lock); null until traced.
    private Queue<(long Request, Activity Span)>? _spans;
    private readonly string _tunnelName;
    private readonly string _upstreamName;

    /// <param name="first">The connection dialled for the proxy stream.</param>
    /// <param name="watch">What follows the exchanges; it sees every byte.</param>
    /// <param name="dial">Dials a new connection (PROXY header included), or null when the upstream cannot be reached.</param>
    /// <param name="tunnelName">The tunnel, for spans.</param>
    /// <param name="upstreamName">The upstream as shown, for spans.</param>
    public KeepAliveUpstream(
        UpstreamConnection first, IHttpExchangeWatch watch, Func<CancellationToken, Task<UpstreamConnection?>> dial, string tunnelName = "", string upstreamName = "")
    {
        _current = first;
        _watch = watch;
        _dial = dial;
        _tunnelName = tunnelName;
        _upstreamName = upstreamName;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>This upstream as one end of a <see cref="DuplexPump"/>, which then owns it.</summary>
    public PumpEnd AsPumpEnd() => new(this, this, ShutdownSendAsync, Abort, DisposeAsync);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            UpstreamConnection? connection = Volatile.Read(ref _current);
            if (connection is null)
            {
                // Between connections: the next request brings one, or the proxy stream ends.
                Task<UpstreamConnection?> next;
                lock (_lock)
                {
                    next = _next.Task;
                }

                connection = await next.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (connection is null)
                {
                    return 0;
                }
            }

            int read;
            try
            {
                read = await connection.Stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                if (TryRetire(connection))
                {
                    // A reset on an idle connection is an idle close too.
                    await connection.DisposeAsync().ConfigureAwait(false);
                    continue;
                }

                if (_watch.Answering)
                {
                    throw;
                }

                // Reset before any byte of the answer (nginx resets a connection it closes with a request unread): the
                // edge reads a clean end, and retries a request with no body on a new connection as for a close.
                UpstreamEnded();
                return 0;
            }

            if (read > 0)
            {
                _watch.OnResponseBytes(buffer.Span[..read]);
                if (_spans is not null)
                {
                    EndAnsweredSpans();
                }

                return read;
            }

            if (buffer.IsEmpty)
            {
                // A zero-byte read says only that there is something to read, or the end; the next read tells which.
                return 0;
            }

            if (TryRetire(connection))
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                continue;
            }

            UpstreamEnded();
            return 0;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("read asynchronously");

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (AgentTracing.Source.HasListeners() && _watch.AtRequestStart)
        {
            // The pump's own buffer, about to go out: the request's traceparent is re-parented in it before it does.
            StartSpan(MemoryMarshal.AsMemory(buffer).Span);
        }

        if (_watch.Idle && Volatile.Read(ref _current) is { } current && HasEnded(current))
        {
            // A new request, and the upstream has closed the connection: let the reader retire it before choosing.
            Task endSeen;
            lock (_lock)
            {
                endSeen = _endSeen.Task;
            }

            try
            {
                await endSeen.WaitAsync(RetireWait, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The reader did not get to it (busy, or the readable socket held something else): write where we are.
            }
        }

        UpstreamConnection? connection = TakeForWrite(buffer.Span, out bool needsDial);
        if (needsDial)
        {
            connection = await ReplaceAsync(cancellationToken).ConfigureAwait(false);
            if (connection is null || !TakeNewForWrite(connection, buffer.Span))
            {
                // No upstream now: the reader ends the proxy stream cleanly, and the edge answers (or retries) from there.
                return;
            }
        }

        if (connection is not null)
        {
            await connection.Stream.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("write asynchronously");

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _current)?.Stream.FlushAsync(cancellationToken) ?? Task.CompletedTask;

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        UpstreamConnection? connection;
        lock (_lock)
        {
            _closed = true;
            connection = _current;
            _current = null;
            _next.TrySetResult(null);
        }

        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        // Stream's own DisposeAsync runs Dispose(true), which completes the watch.
        await base.DisposeAsync().ConfigureAwait(false);
    }

    // Also for a caller that disposes synchronously: it closes without waiting.
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            UpstreamConnection? connection;
            lock (_lock)
            {
                _closed = true;
                connection = _current;
                _current = null;
                _next.TrySetResult(null);
            }

            connection?.Socket.Dispose();
            connection?.Stream.Dispose();
            if (_spans is not null)
            {
                EndAnsweredSpans(all: true);
            }

            _watch.Complete();
        }

        base.Dispose(disposing);
    }

    private static TaskCompletionSource<UpstreamConnection?> NewNext() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // The end of the upstream's side is waiting unread: the socket is readable with no byte to read.
    private static bool HasEnded(UpstreamConnection connection)
    {
        try
        {
            return connection.Socket.Poll(0, SelectMode.SelectRead) && connection.Socket.Available == 0;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return true;
        }
    }

    // The reader met the end of `connection`: true when it was idle and is let go (the next request dials), false when
    // the end goes to the edge. Either way a writer waiting on the end may go on.
    private bool TryRetire(UpstreamConnection connection)
    {
        lock (_lock)
        {
            TaskCompletionSource endSeen = _endSeen;
            _endSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            endSeen.TrySetResult();
            if (_edgeDone || _closed || _current != connection || !_watch.Idle)
            {
                return false;
            }

            _current = null;
            _next = NewNext();
            return true;
        }
    }

    // The connection to write to, with the bytes shown to the watch under the lock (after which the reader no longer
    // sees the connection idle); null with needsDial when the upstream closed the last one.
    private UpstreamConnection? TakeForWrite(ReadOnlySpan<byte> data, out bool needsDial)
    {
        lock (_lock)
        {
            needsDial = _current is null && !_closed && !_edgeDone;
            if (_current is { } connection)
            {
                _watch.OnRequestBytes(data);
            }

            return _current;
        }
    }

    private bool TakeNewForWrite(UpstreamConnection connection, ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            if (_current != connection)
            {
                return false;
            }

            _watch.OnRequestBytes(data);
            return true;
        }
    }

    private async Task<UpstreamConnection?> ReplaceAsync(CancellationToken cancellationToken)
    {
        UpstreamConnection? connection = await _dial(cancellationToken).ConfigureAwait(false);
        bool keep;
        lock (_lock)
        {
            keep = connection is not null && !_closed && !_edgeDone && _current is null;
            if (keep)
            {
                _current = connection;
            }
            else
            {
                // Dial failed or the stream ended meanwhile: the reader ends the proxy stream.
                _closed |= connection is null;
            }

            _next.TrySetResult(keep ? connection : null);
        }

        if (!keep && connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            return null;
        }

        return connection;
    }

    private async ValueTask ShutdownSendAsync()
    {
        UpstreamConnection? connection;
        lock (_lock)
        {
            _edgeDone = true;
            connection = _current;
            if (connection is null)
            {
                _next.TrySetResult(null);
            }
        }

        if (connection is not null)
        {
            await connection.ShutdownSendAsync().ConfigureAwait(false);
        }
    }

    // A response framed by the close ends here: its request's span with it.
    private void UpstreamEnded()
    {
        _watch.OnUpstreamEnded();
        if (_spans is not null)
        {
            EndAnsweredSpans();
        }
    }

    private void StartSpan(Span<byte> head)
    {
        long request = _watch.RequestHeads;
        if (AgentTracing.StartForward(head, _tunnelName, _upstreamName) is { } span)
        {
            lock (_lock)
            {
                (_spans ??= new()).Enqueue((request, span));
            }
        }
    }

    private void EndAnsweredSpans(bool all = false)
    {
        long answered = _watch.ResponsesEnded;
        lock (_lock)
        {
            while (_spans is not null && _spans.TryPeek(out var open) && (all || open.Request < answered))
            {
                _spans.Dequeue();
                if (open.Request >= answered)
                {
                    // The proxy stream ended before this request's answer did.
                    open.Span.SetStatus(ActivityStatusCode.Error, "no complete response");
                }

                open.Span.Dispose();
            }
        }
    }

    private void Abort()
    {
        UpstreamConnection? connection;
        lock (_lock)
        {
            _closed = true;
            connection = _current;
            _next.TrySetResult(null);
        }

        connection?.Abort();
    }
}

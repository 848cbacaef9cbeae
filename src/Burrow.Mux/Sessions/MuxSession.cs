using System.IO.Pipelines;
using System.Threading.Channels;
using Burrow.Mux.Buffers;
using Burrow.Mux.Errors;
using Burrow.Mux.Frames;
using Burrow.Mux.Streams;

namespace Burrow.Mux.Sessions;

/// <summary>
/// A yamux session over one reliable duplex transport: many <see cref="MuxStream"/>s, flow
/// controlled per stream, with keepalive. Three loops run per session: a reader that parses
/// frames and dispatches them, a single writer that owns the transport's output, and a timer
/// for keepalive and stream timeouts.
/// </summary>
/// <remarks>
/// The client (the side that dialled) opens odd stream ids, the server even ones. The session
/// owns its transport and closes it when it ends; <see cref="Completion"/> says why it ended.
/// </remarks>
public sealed partial class MuxSession : IAsyncDisposable
{
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly Stream? _transportStream;
    private readonly bool _isClient;

    // Lock order: _streamsLock first, then a stream's own locks (see MuxStream).
    private readonly Lock _streamsLock = new();
    private readonly Dictionary<uint, MuxStream> _streams = [];
    private readonly Channel<MuxStream> _acceptQueue;
    private readonly SemaphoreSlim _openSlots;
    private readonly CancellationTokenSource _closed = new();
    private readonly TaskCompletionSource<MuxCloseInfo> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _readLoop;
    private readonly Task _writeLoop;
    private readonly Task _timerLoop;

    // How long an abrupt close (dispose, an error) lets the writer put Go Away on the wire.
    private static readonly TimeSpan DefaultFlushOnClose = TimeSpan.FromSeconds(2);

    // Guarded by _streamsLock.
    private uint _nextStreamId;
    private uint _highestRemoteId;
    private int _unacceptedCount;

    private int _closing;
    private int _localGoAway;
    private int _remoteGoAway;
    private MuxCloseInfo? _closeInfo;

    private MuxSession(PipeReader input, PipeWriter output, Stream? transportStream, bool isClient, MuxOptions? options)
    {
        Options = options ?? MuxOptions.Default;
        Options.Validate();
        _input = input;
        _output = output;
        _transportStream = transportStream;
        _isClient = isClient;
        _nextStreamId = isClient ? 1u : 2u;
        _acceptQueue = Channel.CreateUnbounded<MuxStream>(new UnboundedChannelOptions { SingleWriter = true });
        _openSlots = new SemaphoreSlim(Options.AcceptBacklog, Options.AcceptBacklog);
        _readLoop = Task.Run(ReadLoopAsync);
        _writeLoop = Task.Run(WriteLoopAsync);
        _timerLoop = Task.Run(TimerLoopAsync);
    }

    /// <summary>Starts the dialling side of a session (odd stream ids) over a connected stream, which the session then owns.</summary>
    public static MuxSession Client(Stream transport, MuxOptions? options = null) => FromStream(transport, isClient: true, options);

    /// <summary>Starts the listening side of a session (even stream ids) over a connected stream, which the session then owns.</summary>
    public static MuxSession Server(Stream transport, MuxOptions? options = null) => FromStream(transport, isClient: false, options);

    /// <summary>Starts the dialling side of a session over a duplex pipe (for example a Kestrel connection).</summary>
    public static MuxSession Client(IDuplexPipe transport, MuxOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        return new MuxSession(transport.Input, transport.Output, null, isClient: true, options);
    }

    /// <summary>Starts the listening side of a session over a duplex pipe (for example a Kestrel connection).</summary>
    public static MuxSession Server(IDuplexPipe transport, MuxOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        return new MuxSession(transport.Input, transport.Output, null, isClient: false, options);
    }

    private static MuxSession FromStream(Stream transport, bool isClient, MuxOptions? options)
    {
        ArgumentNullException.ThrowIfNull(transport);
        // Zero-byte reads let an idle session hold no buffer while it waits (SslStream and
        // NetworkStream support them), which matters for an edge with thousands of agents.
        // Large blocks cut the system calls per byte; bench/README.md has the figures.
        var input = PipeReader.Create(transport, new StreamPipeReaderOptions(
            pool: BlockMemoryPool.TransportRead,
            bufferSize: BlockMemoryPool.TransportRead.BlockSize,
            minimumReadSize: 4096,
            leaveOpen: true,
            useZeroByteReads: true));
        var output = PipeWriter.Create(transport, new StreamPipeWriterOptions(
            pool: BlockMemoryPool.TransportWrite,
            minimumBufferSize: BlockMemoryPool.TransportWrite.BlockSize,
            leaveOpen: true));
        return new MuxSession(input, output, transport, isClient, options);
    }

    /// <summary>The settings this session runs with.</summary>
    public MuxOptions Options { get; }

    /// <summary>True for the dialling side (odd stream ids).</summary>
    public bool IsClient => _isClient;

    /// <summary>Completes with the reason once the session has ended and its transport is closed.</summary>
    public Task<MuxCloseInfo> Completion => _completion.Task;

    /// <summary>True once the session is ending or has ended.</summary>
    public bool IsClosed => Volatile.Read(ref _closing) == 1;

    /// <summary>True once the peer has sent Go Away: no new streams can be opened.</summary>
    public bool IsRemoteGoingAway => Volatile.Read(ref _remoteGoAway) == 1;

    /// <summary>Live streams, both directions, including accepted-but-unclaimed ones.</summary>
    public int StreamCount
    {
        get
        {
            lock (_streamsLock)
            {
                return _streams.Count;
            }
        }
    }

    internal long Now => Options.TimeProvider.GetTimestamp();

    /// <summary>
    /// Opens a stream. The SYN goes out at once and data may follow before the peer's ACK. Waits
    /// only while <see cref="MuxOptions.AcceptBacklog"/> opens are still unacknowledged.
    /// </summary>
    /// <exception cref="MuxException">The session is closed or going away, or a stream limit is reached.</exception>
    public async ValueTask<MuxStream> OpenStreamAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfCannotOpen();
        if (!_openSlots.Wait(0, CancellationToken.None))
        {
            await WaitForOpenSlotAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            lock (_streamsLock)
            {
                ThrowIfCannotOpen();
                if (_streams.Count >= Options.MaxConcurrentStreams)
                {
                    throw new MuxException(MuxError.TooManyStreams, $"{_streams.Count} streams are open, the configured maximum (MuxOptions.MaxConcurrentStreams)");
                }

                if (_nextStreamId >= uint.MaxValue - 1)
                {
                    throw new MuxException(MuxError.StreamIdsExhausted, "every stream id of this session has been used; open a new session");
                }

                var stream = new MuxStream(this, _nextStreamId, isOutbound: true, Now);
                _nextStreamId += 2;
                _streams.Add(stream.Id, stream);
                Options.Counters?.StreamOpened();
                // Queued under the table lock so SYNs leave in id order.
                EnqueueControl(new FrameHeader(FrameType.WindowUpdate, FrameFlags.Syn, stream.Id, 0));
                return stream;
            }
        }
        catch
        {
            _openSlots.Release();
            throw;
        }
    }

    /// <summary>Waits for the next stream the peer opens, and acknowledges it (ACK).</summary>
    /// <exception cref="MuxException">The session ended (<see cref="MuxError.SessionClosed"/>).</exception>
    public async ValueTask<MuxStream> AcceptStreamAsync(CancellationToken cancellationToken = default)
    {
        MuxStream stream;
        try
        {
            stream = await _acceptQueue.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw SessionClosedError();
        }

        if (IsClosed)
        {
            // A completed channel still hands out what it buffered: streams the peer opened
            // before the end, already failed by Close. They are not live accepts.
            throw SessionClosedError();
        }

        lock (_streamsLock)
        {
            _unacceptedCount--;
        }

        EnqueueControl(new FrameHeader(FrameType.WindowUpdate, FrameFlags.Ack, stream.Id, 0));
        return stream;
    }

    /// <summary>
    /// Tells the peer this side accepts no new streams (Go Away, normal). Streams already open go on;
    /// new SYNs are refused with RST. The session stays up until closed.
    /// </summary>
    public void GoAway()
    {
        if (Interlocked.Exchange(ref _localGoAway, 1) == 0 && !IsClosed)
        {
            EnqueueControl(new FrameHeader(FrameType.GoAway, FrameFlags.None, 0, (uint)GoAwayCode.Normal));
        }
    }

    /// <summary>
    /// Ends the session at once: sends Go Away (normal), closes the transport, fails every stream;
    /// data not yet on the wire is dropped. <see cref="CloseAsync"/> lets it leave first.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Close(new MuxCloseInfo(MuxCloseReason.LocalClose, "the session was closed by this side"), GoAwayCode.Normal);
        await _completion.Task.ConfigureAwait(false);
    }

    private async Task WaitForOpenSlotAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        try
        {
            await _openSlots.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw SessionClosedError();
        }
    }

    private void ThrowIfCannotOpen()
    {
        if (IsClosed)
        {
            throw SessionClosedError();
        }

        if (Volatile.Read(ref _remoteGoAway) == 1)
        {
            throw new MuxException(MuxError.RemoteGoingAway, "the peer sent Go Away and accepts no new streams");
        }

        if (Volatile.Read(ref _localGoAway) == 1)
        {
            throw new MuxException(MuxError.LocalGoingAway, "this side sent Go Away and opens no new streams");
        }
    }

    private MuxException SessionClosedError()
    {
        var info = Volatile.Read(ref _closeInfo);
        return new MuxException(MuxError.SessionClosed, info is null ? "the session is closed" : $"the session is closed ({info})", info?.Exception);
    }

    internal void ReleaseOpenSlot() => _openSlots.Release();

    /// <summary>Removes a finished stream from the table; called once per stream.</summary>
    internal void Retire(MuxStream stream)
    {
        lock (_streamsLock)
        {
            _streams.Remove(stream.Id);
        }
    }

    /// <summary>
    /// Ends the session once: records why, queues Go Away when asked, fails every stream and
    /// waiter, then lets the loops drain and closes the transport.
    /// </summary>
    private void Close(MuxCloseInfo info, GoAwayCode? goAway, TimeSpan? flushWithin = null)
    {
        if (Interlocked.CompareExchange(ref _closeInfo, info, null) is not null)
        {
            return;
        }

        if (goAway is { } code)
        {
            EnqueueControlUnbounded(new FrameHeader(FrameType.GoAway, FrameFlags.None, 0, (uint)code));
        }

        Volatile.Write(ref _closing, 1);
        _closed.Cancel();
        _signal.Set();
        _input.CancelPendingRead();

        var error = new MuxException(MuxError.SessionClosed, $"the session is closed ({info})", info.Exception);
        MuxStream[] streams;
        lock (_streamsLock)
        {
            streams = [.. _streams.Values];
            _streams.Clear();
        }

        foreach (var stream in streams)
        {
            stream.OnSessionClosed(error);
        }

        _acceptQueue.Writer.TryComplete(error);
        FailPendingPings(error);
        _ = FinishAsync(info, flushWithin ?? DefaultFlushOnClose);
    }

    private async Task FinishAsync(MuxCloseInfo info, TimeSpan flushWithin)
    {
        try
        {
            // The writer gets a moment to put Go Away on the wire; a peer that stopped reading does not hold us.
            try
            {
                await _writeLoop.WaitAsync(flushWithin, Options.TimeProvider).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _output.CancelPendingFlush();
            }

            await IgnoreFailureAsync(_transportStream?.DisposeAsync() ?? ValueTask.CompletedTask).ConfigureAwait(false);
            await Task.WhenAll(_readLoop, _writeLoop, _timerLoop).ConfigureAwait(false);
            // Completing a pipe over a closed transport may try to flush leftovers and fail; that is expected now.
            await IgnoreFailureAsync(_input.CompleteAsync()).ConfigureAwait(false);
            await IgnoreFailureAsync(_output.CompleteAsync()).ConfigureAwait(false);
        }
        finally
        {
            _completion.TrySetResult(info);
        }
    }

    private static async ValueTask IgnoreFailureAsync(ValueTask pending)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            // The session is over; the transport failing to close tidily changes nothing for anyone.
        }
    }
}

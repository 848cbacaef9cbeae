using System.IO.Pipelines;
using System.Threading.Channels;
using Burrow.Mux.Buffers;

namespace Burrow.Mux.Muxado;

/// <summary>
/// A muxado session (the multiplexer of ngrok's agent protocol) over one reliable duplex
/// transport. Two loops run per session: a reader that parses frames and dispatches them without
/// ever waiting on a stream's consumer, and a single writer that owns the transport's output.
/// </summary>
/// <remarks>
/// <para>The server (the side that accepted the connection; the edge) opens even stream ids from
/// 2; the client opens odd ids from 3, as both muxado implementations do (id 1 is never opened by
/// them, but a peer's SYN for it is accepted). There is no handshake: either side may open streams
/// at once.</para>
/// <para>Every stream has a fixed 256 KiB window each way (<see cref="MuxadoOptions.Window"/>).
/// There is no keepalive in muxado itself; ngrok's heartbeat is an ordinary stream.</para>
/// <para>The session owns its transport and closes it when it ends; <see cref="Completion"/> says why.</para>
/// </remarks>
public sealed partial class MuxadoSession : IAsyncDisposable
{
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly Stream? _transport;
    private readonly bool _isClient;

    // Lock order: _streamsLock first, then a stream's own lock; while a stream holds its lock it
    // calls nothing here that takes _streamsLock (enqueueing frames is lock-free).
    private readonly Lock _streamsLock = new();
    private readonly Dictionary<uint, MuxadoStream> _streams = [];
    private readonly Channel<MuxadoStream> _acceptQueue =
        Channel.CreateUnbounded<MuxadoStream>(new UnboundedChannelOptions { SingleWriter = true });

    private readonly TaskCompletionSource<MuxadoCloseInfo> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _readLoop;
    private readonly Task _writeLoop;

    // Guarded by _streamsLock.
    private uint _nextLocalId;
    private uint _lastRemoteId; // the highest id the peer opened: GOAWAY's "last stream id"
    private int _unaccepted;

    private MuxadoSession(PipeReader input, PipeWriter output, Stream? transport, bool isClient, MuxadoOptions? options)
    {
        Options = options ?? MuxadoOptions.Default;
        Options.Validate();
        _input = input;
        _output = output;
        _transport = transport;
        _isClient = isClient;
        _nextLocalId = isClient ? 3u : 2u;
        _readLoop = Task.Run(ReadLoopAsync);
        _writeLoop = Task.Run(WriteLoopAsync);
    }

    /// <summary>Starts the server side of a session (this side opens even stream ids) over a connected stream, which the session then owns.</summary>
    /// <param name="transport">The connection, usually TLS over TCP; closed when the session ends.</param>
    /// <param name="options">Limits; <see cref="MuxadoOptions.Default"/> when null.</param>
    public static MuxadoSession Server(Stream transport, MuxadoOptions? options = null) => FromStream(transport, isClient: false, options);

    /// <summary>Starts the client side of a session (this side opens odd stream ids from 3), as ngrok's agents do; used by tests.</summary>
    /// <param name="transport">The connection; closed when the session ends.</param>
    /// <param name="options">Limits; <see cref="MuxadoOptions.Default"/> when null.</param>
    public static MuxadoSession Client(Stream transport, MuxadoOptions? options = null) => FromStream(transport, isClient: true, options);

    /// <summary>A session over a duplex pipe (in-memory tests); completing the pipes is its way of closing the transport.</summary>
    internal static MuxadoSession OverPipe(IDuplexPipe transport, bool isClient, MuxadoOptions? options = null) =>
        new(transport.Input, transport.Output, null, isClient, options);

    private static MuxadoSession FromStream(Stream transport, bool isClient, MuxadoOptions? options)
    {
        ArgumentNullException.ThrowIfNull(transport);
        // The same transport buffering as the yamux session (MuxSession.FromStream): zero-byte
        // reads so an idle session holds no buffer, large pooled blocks to cut system calls.
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
        return new MuxadoSession(input, output, transport, isClient, options);
    }

    /// <summary>The settings this session runs with.</summary>
    public MuxadoOptions Options { get; }

    /// <summary>True for the client side (odd stream ids).</summary>
    public bool IsClient => _isClient;

    /// <summary>Completes, with the reason, once the session has ended and its transport is closed. Never faults.</summary>
    public Task<MuxadoCloseInfo> Completion => _completion.Task;

    /// <summary>True once <see cref="CloseAsync"/> began or the session ended: no stream can be opened, and the peer's new ones are refused.</summary>
    public bool IsClosed => IsEnded || IsDraining;

    /// <summary>True once the session has ended: its streams have failed (a graceful close may still be flushing GOAWAY or lingering).</summary>
    internal bool IsEnded => Volatile.Read(ref _ending) is not null;

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

    /// <summary>
    /// Opens a stream. Nothing goes on the wire yet: as in both muxado implementations, the SYN
    /// rides on the stream's first frame (its first write, or a bare FIN from
    /// <see cref="MuxadoStream.CompleteWrites"/>), so the peer learns of the stream only then.
    /// </summary>
    /// <param name="cancellationToken">Only checked on entry: opening never waits.</param>
    /// <exception cref="MuxadoException">The session is closed or closing (<see cref="MuxadoErrorCode.SessionClosed"/>), or
    /// <see cref="MuxadoOptions.MaxStreams"/> streams are live or the ids are used up (<see cref="MuxadoErrorCode.StreamsExhausted"/>).</exception>
    public ValueTask<MuxadoStream> OpenStreamAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<MuxadoStream>(cancellationToken);
        }

        lock (_streamsLock)
        {
            if (IsEnded || IsDraining)
            {
                return ValueTask.FromException<MuxadoStream>(SessionClosedError());
            }

            if (_streams.Count >= Options.MaxStreams)
            {
                return ValueTask.FromException<MuxadoStream>(new MuxadoException(
                    MuxadoErrorCode.StreamsExhausted,
                    $"{_streams.Count} streams are live, the configured maximum (MuxadoOptions.MaxStreams)"));
            }

            if (_nextLocalId > MuxadoFrameHeader.StreamIdMask)
            {
                return ValueTask.FromException<MuxadoStream>(new MuxadoException(
                    MuxadoErrorCode.StreamsExhausted,
                    "every stream id of this session has been used; open a new session"));
            }

            var stream = new MuxadoStream(this, _nextLocalId, isOutbound: true);
            _nextLocalId += 2;
            _streams.Add(stream.Id, stream);
            return new ValueTask<MuxadoStream>(stream);
        }
    }

    /// <summary>Waits for the next stream the peer opens (its SYN arrived).</summary>
    /// <param name="cancellationToken">Stops waiting; no stream is lost by it.</param>
    /// <exception cref="MuxadoException">The session ended: the code says how (<see cref="MuxadoErrorCode.SessionClosed"/>,
    /// <see cref="MuxadoErrorCode.PeerEOF"/>, <see cref="MuxadoErrorCode.RemoteGoneAway"/>, or the violation this side reported).</exception>
    public async ValueTask<MuxadoStream> AcceptStreamAsync(CancellationToken cancellationToken = default)
    {
        MuxadoStream stream;
        try
        {
            stream = await _acceptQueue.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw SessionClosedError();
        }

        if (IsEnded)
        {
            // A completed channel still hands out what it held: streams opened before the end,
            // already failed with it. They are not live accepts.
            throw SessionClosedError();
        }

        lock (_streamsLock)
        {
            _unaccepted--;
        }

        return stream;
    }

    /// <summary>The error for a call on a session that has ended (or is closing), saying how it ended.</summary>
    private MuxadoException SessionClosedError()
    {
        if (Volatile.Read(ref _ending) is { } ending)
        {
            return new MuxadoException(ending.StreamCode, $"the muxado session is closed: {ending.Info.Reason}", ending.Info.Exception, ending.CodeIsRemote);
        }

        return new MuxadoException(MuxadoErrorCode.SessionClosed, "the muxado session is closing and opens no new streams");
    }

    private bool IsOurs(uint id) => (id % 2 == 1) == _isClient;

    private MuxadoStream? FindStream(uint id)
    {
        lock (_streamsLock)
        {
            return _streams.GetValueOrDefault(id);
        }
    }

    /// <summary>Removes a stream that can see no more frames from the table; later frames for its id are answered as for an unknown stream.</summary>
    internal void Retire(MuxadoStream stream)
    {
        lock (_streamsLock)
        {
            if (_streams.TryGetValue(stream.Id, out var current) && ReferenceEquals(current, stream))
            {
                _streams.Remove(stream.Id);
            }
        }

        WakeWriterIfDraining();
    }
}

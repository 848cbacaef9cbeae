using System.IO.Pipelines;
using System.Net;
using Burrow.Mux;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace Burrow.Agent.Inspection;

/// <summary>
/// A proxy stream as a Kestrel connection, modelled on Kestrel's socket transport: a read pump
/// (stream → input pipe) and a write pump (output pipe → stream). A public client's disconnect
/// (the edge resets the stream) ends the read pump, which fires <c>ConnectionClosed</c>, so
/// the forwarder stops pulling from the upstream instead of copying into the void.
/// </summary>
internal sealed class ProxyStreamConnection : ConnectionContext
{
    private static readonly PipeOptions Options = new(pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, useSynchronizationContext: false);
    private readonly MuxStream _stream;
    private readonly Pipe _input = new(Options);
    private readonly Pipe _output = new(Options);
    private readonly CancellationTokenSource _closed = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _readPump = Task.CompletedTask;
    private Task _writePump = Task.CompletedTask;
    private int _disposed;

    public ProxyStreamConnection(MuxStream stream, string connectionId, EndPoint? remote)
    {
        _stream = stream;
        ConnectionId = connectionId;
        RemoteEndPoint = remote;
        Transport = new DuplexPipe(_input.Reader, _output.Writer);
        ConnectionClosed = _closed.Token;
    }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features { get; } = new FeatureCollection();

    public override IDictionary<object, object?> Items { get; set; } = new ConnectionItems();

    public override IDuplexPipe Transport { get; set; }

    /// <summary>Completes when Kestrel has let go of the connection.</summary>
    public Task Done => _done.Task;

    public void Start()
    {
        _readPump = Task.Run(ReadPumpAsync);
        _writePump = Task.Run(WritePumpAsync);
    }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        _output.Reader.CancelPendingRead();
        _stream.Abort();
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            await base.DisposeAsync().ConfigureAwait(false);
            return;
        }

        // Kestrel is done with the connection, but it completes its output only when it ended the connection
        // itself: after a reset (the client gone, the session closed) it leaves the pipe open, and the write pump
        // would wait for data that never comes. Complete both ends here, as Kestrel's socket transport does; the
        // write pump then sends what is left and the FIN.
        await _output.Writer.CompleteAsync().ConfigureAwait(false);
        await _input.Reader.CompleteAsync().ConfigureAwait(false);
        try
        {
            await _writePump.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _stream.Abort();
        }

        _stream.Dispose();
        try
        {
            await _readPump.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _stream.Abort();
            await _readPump.ConfigureAwait(false);
        }

        _closed.Dispose();
        _done.TrySetResult();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private async Task ReadPumpAsync()
    {
        Exception? error = null;
        try
        {
            while (true)
            {
                Memory<byte> memory = _input.Writer.GetMemory(16 * 1024);
                int read = await _stream.ReadAsync(memory).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                _input.Writer.Advance(read);
                FlushResult flush = await _input.Writer.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or MuxException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            error = ex;
        }
        finally
        {
            await _input.Writer.CompleteAsync(error is null ? null : new ConnectionResetException(error.Message, error)).ConfigureAwait(false);
            // Off this thread: ConnectionClosed callbacks may run long.
            ThreadPool.UnsafeQueueUserWorkItem(static cts => CancelQuietly(cts), _closed, preferLocal: false);
        }
    }

    private async Task WritePumpAsync()
    {
        try
        {
            while (true)
            {
                ReadResult result = await _output.Reader.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled)
                {
                    break;
                }

                foreach (ReadOnlyMemory<byte> segment in result.Buffer)
                {
                    await _stream.WriteAsync(segment).ConfigureAwait(false);
                }

                _output.Reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    // Kestrel closed its side: FIN toward the edge.
                    _stream.CompleteWrites();
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or MuxException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            _stream.Abort();
        }
        finally
        {
            await _output.Reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static void CancelQuietly(CancellationTokenSource cts)
    {
        try
        {
            cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already torn down.
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}

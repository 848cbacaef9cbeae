using System.IO.Pipelines;
using System.Net;
using Burrow.Agent.Tunnels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace Burrow.Agent.AspNetCore;

/// <summary>
/// A tunnel connection as Kestrel takes it: two pipes and two pumps, as Kestrel's own socket transport does. A pump
/// per direction (not pipes wrapped straight around the stream) so that the client's end reaches the app at once:
/// read EOF completes the input and fires <c>ConnectionClosed</c>, and an abort stops the output pump.
/// </summary>
internal sealed class TunnelConnectionContext : ConnectionContext
{
    // As Kestrel's defaults: a slow reader pauses the writer at 1 MiB buffered.
    private static readonly PipeOptions PipeSettings = new(pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, useSynchronizationContext: false);

    private readonly TunnelConnection _connection;
    private readonly Pipe _input = new(PipeSettings);
    private readonly Pipe _output = new(PipeSettings);
    private readonly CancellationTokenSource _closed = new();
    private readonly Task _reading;
    private readonly Task _writing;
    private int _disposed;

    public TunnelConnectionContext(TunnelConnection connection, EndPoint localEndPoint)
    {
        _connection = connection;
        ConnectionId = $"burrow-{Guid.NewGuid():N}";
        LocalEndPoint = localEndPoint;
        RemoteEndPoint = connection.RemoteEndPoint;
        Transport = new DuplexPipe(_input.Reader, _output.Writer);
        ConnectionClosed = _closed.Token;
        _reading = ReadFromClientAsync();
        _writing = WriteToClientAsync();
    }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features { get; } = new FeatureCollection();

    public override IDictionary<object, object?> Items { get; set; } = new ConnectionItems();

    public override IDuplexPipe Transport { get; set; }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        _connection.Abort();
        _output.Reader.CancelPendingRead();
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Transport.Input.Complete();
        Transport.Output.Complete();
        await _writing.ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        await _reading.ConfigureAwait(false);
        _closed.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private async Task ReadFromClientAsync()
    {
        Exception? error = null;
        try
        {
            Stream stream = _connection.Stream;
            while (true)
            {
                Memory<byte> buffer = _input.Writer.GetMemory(4096);
                int read = await stream.ReadAsync(buffer).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                _input.Writer.Advance(read);
                FlushResult flushed = await _input.Writer.FlushAsync().ConfigureAwait(false);
                if (flushed.IsCompleted || flushed.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            error = new ConnectionResetException(ex.Message, ex);
        }
        finally
        {
            await _input.Writer.CompleteAsync(error).ConfigureAwait(false);
            // Off this thread: ConnectionClosed callbacks run inline on Cancel.
            ThreadPool.UnsafeQueueUserWorkItem(static cts => Cancel(cts), _closed, preferLocal: false);
        }
    }

    private static void Cancel(CancellationTokenSource cts)
    {
        try
        {
            cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed already: nobody is listening.
        }
    }

    private async Task WriteToClientAsync()
    {
        try
        {
            Stream stream = _connection.Stream;
            while (true)
            {
                ReadResult result = await _output.Reader.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled)
                {
                    break;
                }

                foreach (ReadOnlyMemory<byte> segment in result.Buffer)
                {
                    await stream.WriteAsync(segment).ConfigureAwait(false);
                }

                _output.Reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The client went away; the read side reports it.
        }
        finally
        {
            await _output.Reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}

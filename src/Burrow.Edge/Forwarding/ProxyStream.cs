using Burrow.Edge.Routing;
using Burrow.Mux.Streams;
using Burrow.Protocol.Codec;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;

namespace Burrow.Edge.Forwarding;

/// <summary>
/// A proxy stream as the HTTP client sees it: the agent's <c>proxy_result</c> is read and checked
/// before the first response byte, and disposing resets the stream (RST), since the client gives
/// a connection up only when it will never use it again.
/// </summary>
internal sealed class ProxyStream : Stream
{
    private readonly Stream _inner;
    private readonly Action _reset;
    private readonly TrafficCounters _counters;
    private bool _resultRead;

    /// <param name="inner">The proxy stream.</param>
    /// <param name="readsResult">Whether a <c>proxy_result</c> comes before the upstream's bytes (a Burrow agent's; an ngrok client sends none).</param>
    /// <param name="counters">Where the bytes are counted.</param>
    public ProxyStream(MultiplexedStream inner, bool readsResult, TrafficCounters counters)
        : this(inner, inner.Abort, counters)
    {
        _resultRead = !readsResult;
    }

    /// <summary>Over any stream; <paramref name="reset"/> is what disposing does first (for a mux stream, an RST). For tests.</summary>
    internal ProxyStream(Stream inner, Action reset, TrafficCounters counters)
    {
        _inner = inner;
        _reset = reset;
        _counters = counters;
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_resultRead)
        {
            return ReadResultThenAsync(buffer, cancellationToken);
        }

        ValueTask<int> read = _inner.ReadAsync(buffer, cancellationToken);
        if (read.IsCompletedSuccessfully)
        {
            // Consumed here, so a new ValueTask goes back: a ValueTask may be consumed once, and
            // one backed by a pooled source is recycled the moment its result is read. (Handing
            // back `read` itself made the caller check a recycled source: a download cut off with
            // InvalidOperationException, or another read's count.)
            int count = read.Result;
            _counters.AddBytesOut(count);
            return new ValueTask<int>(count);
        }

        return CountAsync(read);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _counters.AddBytesIn(buffer.Length);
        return _inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _reset();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private async ValueTask<int> CountAsync(ValueTask<int> pending)
    {
        int read = await pending.ConfigureAwait(false);
        _counters.AddBytesOut(read);
        return read;
    }

    private async ValueTask<int> ReadResultThenAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ControlMessage? message;
        try
        {
            message = await new ControlMessageReader(_inner).ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ProtocolException ex)
        {
            throw new IOException($"The agent answered the proxy stream with something unexpected: {ex.Message}", ex);
        }

        switch (message)
        {
            case null:
                throw new IOException("The agent closed the proxy stream without an answer.");
            case ProxyResultMessage { Error: { } error }:
                throw new UpstreamUnreachableException(error);
            case ProxyResultMessage:
                _resultRead = true;
                int read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                _counters.AddBytesOut(read);
                return read;
            default:
                throw new IOException($"The agent answered the proxy stream with a '{message.Type}' message.");
        }
    }
}

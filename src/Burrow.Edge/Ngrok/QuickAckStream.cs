using System.Net.Sockets;

namespace Burrow.Edge.Ngrok;

/// <summary>
/// A socket's stream that, once <see cref="Enabled"/>, acknowledges every read at once (Linux TCP_QUICKACK, which
/// the kernel clears again as it likes, so it is set after each read).
/// </summary>
/// <remarks>
/// Why: ngrok's clients leave Nagle's algorithm on. After a request arrives the SDK sends a small window update,
/// then the small response; Nagle holds the response until the update is acknowledged, and a receiver that
/// delays its ACK (40 ms on Linux) with nothing to send back turns every request into a 40-50 ms one. Acknowledging
/// at once releases the response. Burrow's own agents turn Nagle off and never need it.
/// </remarks>
internal sealed class QuickAckStream(Socket socket) : Stream
{
    // include/uapi/linux/tcp.h; not in SocketOptionName.
    private const int TcpQuickAck = 12;
    private static readonly byte[] On = BitConverter.GetBytes(1);
    private readonly NetworkStream _inner = new(socket, ownsSocket: true);

    public bool Enabled { get; set; }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        QuickAck();
        int read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read > 0)
        {
            QuickAck();
        }

        return read;
    }

    private void QuickAck()
    {
        if (Enabled && OperatingSystem.IsLinux())
        {
            try
            {
                socket.SetRawSocketOption((int)SocketOptionLevel.Tcp, TcpQuickAck, On);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Closing: the next read says so.
            }
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

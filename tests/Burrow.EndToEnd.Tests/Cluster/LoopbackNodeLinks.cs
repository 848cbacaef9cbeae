using System.Net;
using System.Net.Sockets;
using System.Text;
using Burrow.Edge.Cluster;
using Burrow.Protocol.Errors;

namespace Burrow.EndToEnd.Tests.Cluster;

/// <summary>
/// Test harness only: node links as one loopback TCP connection per stream (no TLS, no mux), standing in for the real
/// node links (issue 15 item 1, built in parallel) until they are merged. Each node listens on a port of its own; a
/// stream starts with the opener's node name (a length byte and ASCII), then carries the caller's bytes, half-close
/// included (a socket's shutdown).
/// </summary>
internal sealed class LoopbackNodeLinks : INodeLinks, IAsyncDisposable
{
    private readonly string _localName;
    private readonly Func<string, IPEndPoint?> _addressOf;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private Func<Stream, string, CancellationToken, Task>? _handler;
    private Task _accepting = Task.CompletedTask;

    public LoopbackNodeLinks(string localName, Func<string, IPEndPoint?> addressOf)
    {
        _localName = localName;
        _addressOf = addressOf;
        _listener.Start();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    public async ValueTask<Stream> OpenStreamAsync(string nodeName, CancellationToken cancellationToken)
    {
        IPEndPoint target = _addressOf(nodeName) ?? throw new ProtocolException(ErrorCodes.RemoteNodeUnreachable, $"No node {nodeName}.");
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(target, cancellationToken);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new ProtocolException(ErrorCodes.RemoteNodeUnreachable, ex.Message, ex);
        }

        var stream = new NetworkStream(socket, ownsSocket: true);
        byte[] name = Encoding.ASCII.GetBytes(_localName);
        await stream.WriteAsync((byte[])[(byte)name.Length, .. name], cancellationToken);
        return stream;
    }

    public void OnInboundStream(Func<Stream, string, CancellationToken, Task> handler)
    {
        _handler = handler;
        _accepting = AcceptLoopAsync();
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                Socket socket = await _listener.AcceptSocketAsync(_stop.Token);
                _ = Task.Run(() => ServeAsync(socket));
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        socket.NoDelay = true;
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            byte[] length = new byte[1];
            await stream.ReadExactlyAsync(length, _stop.Token);
            byte[] name = new byte[length[0]];
            await stream.ReadExactlyAsync(name, _stop.Token);
            await _handler!(stream, Encoding.ASCII.GetString(name), _stop.Token);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or EndOfStreamException or ObjectDisposedException)
        {
            // The other node went away.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}

using System.Net;
using System.Net.Sockets;

namespace Burrow.Cluster.Tests.Database;

/// <summary>
/// A loopback TCP relay to one port (PostgreSQL's), standing in for the network between one node and its database:
/// <see cref="Cut"/> ends every relayed connection with a reset and refuses new ones, <see cref="Restore"/> relays again.
/// Refusing is accepting and resetting at once rather than closing the port, which another process could take meanwhile.
/// </summary>
internal sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    // Guards _open and _cut; nothing else is taken while it is held.
    private readonly Lock _lock = new();
    private readonly List<(Socket Client, Socket Server)> _open = [];
    private readonly Task _accepting;
    private bool _cut;

    public TcpRelay(int targetPort)
    {
        _target = targetPort;
        _listener.Start();
        _accepting = AcceptLoopAsync();
    }

    /// <summary>The loopback port to connect to instead of the target's.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>How many connections the relay has reset or refused since it was cut.</summary>
    public int Refused { get; private set; }

    /// <summary>Resets every relayed connection and refuses new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        (Socket, Socket)[] open;
        lock (_lock)
        {
            _cut = true;
            open = [.. _open];
            _open.Clear();
        }

        foreach ((Socket client, Socket server) in open)
        {
            Reset(client);
            Reset(server);
        }
    }

    /// <summary>Relays new connections again.</summary>
    public void Restore()
    {
        lock (_lock)
        {
            _cut = false;
        }
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                Socket client = await _listener.AcceptSocketAsync(_stop.Token);
                _ = RelayAsync(client);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Disposed.
        }
    }

    private async Task RelayAsync(Socket client)
    {
        lock (_lock)
        {
            if (_cut)
            {
                Refused++;
                Reset(client);
                return;
            }
        }

        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            Reset(client);
            server.Dispose();
            return;
        }

        lock (_lock)
        {
            if (_cut)
            {
                Reset(client);
                Reset(server);
                return;
            }

            _open.Add((client, server));
        }

        await Task.WhenAll(PumpAsync(client, server), PumpAsync(server, client));
        lock (_lock)
        {
            _open.Remove((client, server));
        }

        client.Dispose();
        server.Dispose();
    }

    // One direction, with half-close; ends quietly when either socket is reset (a cut does that).
    private async Task PumpAsync(Socket from, Socket to)
    {
        byte[] buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                int read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            Reset(from);
            Reset(to);
        }
    }

    // Linger 0: close sends a reset, as a cut network path or a refusing firewall shows itself to the node at once.
    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Cut();
        _stop.Dispose();
    }
}

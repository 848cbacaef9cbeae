using System.Net;
using System.Net.Sockets;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>Free loopback ports for servers that cannot be told to pick one themselves (nginx, sshd, PostgreSQL).</summary>
public static class FreePort
{
    /// <summary>A port nothing listens on now; the caller binds it soon after (a small race other tests rarely hit).</summary>
    public static int Loopback()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>Waits until something accepts connections on the loopback <paramref name="port"/>.</summary>
    public static async Task WaitListeningAsync(int port, TimeSpan timeout, Func<string>? diagnostics = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            catch (SocketException ex)
            {
                throw new TimeoutException($"Nothing listens on 127.0.0.1:{port} after {timeout}: {ex.Message}. {diagnostics?.Invoke()}");
            }
        }
    }
}

using System.Net;
using System.Net.Sockets;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>
/// Holds loopback ports as another program would. A port another test holds for a moment (an agent's web interface
/// on 4040) is waited for, bounded, so the test knows exactly which ports are taken while it runs.
/// </summary>
public sealed class PortHolder : IDisposable
{
    private readonly List<Socket> _sockets = [];

    public static async Task<PortHolder> HoldAsync(TimeSpan patience, params int[] ports)
    {
        var holder = new PortHolder();
        DateTime deadline = DateTime.UtcNow + patience;
        foreach (int port in ports)
        {
            while (true)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                    socket.Listen();
                    holder._sockets.Add(socket);
                    break;
                }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse && DateTime.UtcNow < deadline)
                {
                    socket.Dispose();
                    await Task.Delay(100);
                }
                catch
                {
                    socket.Dispose();
                    holder.Dispose();
                    throw;
                }
            }
        }

        return holder;
    }

    public void Dispose()
    {
        foreach (Socket socket in _sockets)
        {
            socket.Dispose();
        }
    }
}

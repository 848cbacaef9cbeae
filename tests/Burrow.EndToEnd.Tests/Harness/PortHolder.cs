using System.Net;
using System.Net.Sockets;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>
/// Holds loopback ports as another program would. A port something else already holds (another test's agent on
/// 4040) is taken all the same, which is all a test of "the port is taken" needs.
/// </summary>
public sealed class PortHolder : IDisposable
{
    private readonly List<Socket> _sockets = [];

    public static PortHolder Hold(params int[] ports)
    {
        var holder = new PortHolder();
        foreach (int port in ports)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                socket.Listen();
                holder._sockets.Add(socket);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                socket.Dispose();
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

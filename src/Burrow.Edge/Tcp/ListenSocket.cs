using System.Net;
using System.Net.Sockets;

namespace Burrow.Edge.Tcp;

/// <summary>The edge's own listening sockets (agent port, tcp and tls tunnel ports), bound one way.</summary>
internal static class ListenSocket
{
    /// <summary>The pending-connection queue of each listener; Kestrel's default too.</summary>
    public const int Backlog = 512;

    /// <summary>Binds and listens on <paramref name="endPoint"/> (the IPv6 any-address takes IPv4 too); throws <see cref="SocketException"/>.</summary>
    public static Socket Open(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(endPoint);
            socket.Listen(Backlog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

using System.Net;
using System.Net.Sockets;

namespace Burrow.Storage.Tests.Harness;

public static class FreePorts
{
    /// <summary>A loopback port nothing listens on at the moment.</summary>
    public static int Next()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}

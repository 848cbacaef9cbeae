using System.Net;
using System.Net.Sockets;

namespace Burrow.Acme.Tests.Pebble;

/// <summary>Loopback ports free right now. Pebble takes ports in its config, not port 0, so the tests pick them.</summary>
internal static class FreePorts
{
    public static int Tcp()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A port free for both TCP and UDP, for the DNS server.</summary>
    public static int TcpAndUdp()
    {
        for (int attempt = 0; ; attempt++)
        {
            int port = Tcp();
            try
            {
                using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException) when (attempt < 20)
            {
            }
        }
    }
}

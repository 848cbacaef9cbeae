using System.Net.Sockets;
using Burrow.Mux.Sessions;

namespace Burrow.Mux.Transport;

/// <summary>Socket settings for the TCP connection a <see cref="MuxSession"/> runs over.</summary>
public static class TransportSocket
{
    // Linux's TCP_NOTSENT_LOWAT (include/uapi/linux/tcp.h); not in SocketOptionName.
    private const int TcpNotSentLowWatermark = 25;

    /// <summary>
    /// How many bytes may wait unsent in the kernel's send buffer. Beyond it a send waits, so
    /// frames queue in the session instead, where a small message is sent before bulk data
    /// (the writer of <see cref="MuxSession"/>). Without it the kernel grows the buffer to megabytes
    /// under a download and every interactive frame waits behind all of them.
    /// </summary>
    public const int UnsentBytesLimit = 128 * 1024;

    /// <summary>Nagle off (frames are already batched by the writer) and, on Linux, the unsent-bytes limit.</summary>
    /// <param name="socket">A TCP socket, before or after it connects.</param>
    public static void Configure(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        socket.NoDelay = true;
        if (OperatingSystem.IsLinux())
        {
            socket.SetRawSocketOption((int)SocketOptionLevel.Tcp, TcpNotSentLowWatermark, BitConverter.GetBytes(UnsentBytesLimit));
        }
    }
}

using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Burrow.Testing;

/// <summary>An HTTP handler that reaches a tunnel's public URL as an outside client would, on this machine.</summary>
internal static class PublicClientHandler
{
    /// <summary>Trusts <paramref name="edgeCa"/> (when given) for the edge's certificates, and dials <c>*.localhost</c> on loopback.</summary>
    public static SocketsHttpHandler Create(X509Certificate2? edgeCa)
    {
        var handler = new SocketsHttpHandler { ConnectCallback = ConnectAsync };
        if (edgeCa is not null)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { edgeCa },
                    RevocationMode = X509RevocationMode.NoCheck,
                },
            };
        }

        return handler;
    }

    // Names under .localhost are loopback (RFC 6761) whatever the resolver says.
    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        string host = context.DnsEndPoint.Host;
        EndPoint target = host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase) || host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            ? new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port)
            : context.DnsEndPoint;
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

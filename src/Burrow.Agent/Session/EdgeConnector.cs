using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Burrow.Mux.Transport;
using Burrow.Protocol;
using Burrow.Protocol.Tls;

namespace Burrow.Agent.Session;

/// <summary>Dials the edge: TCP, then TLS with ALPN <c>burrow/1</c>, verifying the edge against the system store or a given CA.</summary>
internal static class EdgeConnector
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    public static async Task<SslStream> ConnectAsync(AgentOptions options, CancellationToken cancellationToken)
    {
        (string host, int port) = SplitHostPort(options.ServerAddress);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
            var coalescing = new WriteCoalescingStream(new NetworkStream(socket, ownsSocket: true));
            var ssl = new SslStream(coalescing, leaveInnerStreamOpen: false);
            var auth = new SslClientAuthenticationOptions
            {
                TargetHost = options.ServerName ?? host,
                ApplicationProtocols = [new SslApplicationProtocol(BurrowProtocol.Alpn)],
                CipherSuitesPolicy = LinkCipherSuites.Policy,
            };
            if (options.EdgeCa is { } ca)
            {
                auth.CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { ca },
                    RevocationMode = X509RevocationMode.NoCheck,
                };
            }

            await ssl.AuthenticateAsClientAsync(auth, timeout.Token).ConfigureAwait(false);
            coalescing.Coalescing = true;
            return ssl;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static (string Host, int Port) SplitHostPort(string address)
    {
        int colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out int port))
        {
            return (address.Trim('[', ']'), 4443);
        }

        return (address[..colon].Trim('[', ']'), port);
    }
}

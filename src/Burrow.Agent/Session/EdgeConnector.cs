using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Burrow.Mux.Transport;
using Burrow.Protocol.Tls;
using Burrow.Protocol.Versioning;

namespace Burrow.Agent.Session;

/// <summary>Dials the edge: TCP, then TLS with ALPN <c>burrow/1</c>, verifying the edge against the system store and a given CA.</summary>
internal static class EdgeConnector
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    public static Task<SslStream> ConnectAsync(AgentOptions options, CancellationToken cancellationToken) =>
        ConnectAsync(options, options.ServerAddress, cancellationToken);

    /// <summary>Dials <paramref name="address"/> (another node of the edge's cluster, for a leg) with <paramref name="options"/>' trust settings.</summary>
    public static async Task<SslStream> ConnectAsync(AgentOptions options, string address, CancellationToken cancellationToken)
    {
        (string host, int port) = SplitHostPort(address);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        TransportSocket.Configure(socket);
        try
        {
            IPAddress[] addresses = await EdgeAddresses.ResolveAsync(host, timeout.Token).ConfigureAwait(false);
            await socket.ConnectAsync(addresses, port, timeout.Token).ConfigureAwait(false);
            var coalescing = new WriteCoalescingStream(new NetworkStream(socket, ownsSocket: true));
            var ssl = new SslStream(coalescing, leaveInnerStreamOpen: false);
            string targetHost = options.ServerName ?? host;
            string? rejected = null;
            X509Certificate2? edgeCa = options.EdgeCa;
            var auth = new SslClientAuthenticationOptions
            {
                TargetHost = targetHost,
                // The system's roots first (with the usual checks), then --edge-ca: an edge that starts on its local CA
                // and later serves a public (ACME) certificate keeps its agents either way. A refused certificate keeps
                // the reason: it is a setup problem to explain to the person, not a network blip to retry in silence.
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                {
                    if (errors == SslPolicyErrors.None
                        || (errors == SslPolicyErrors.RemoteCertificateChainErrors && edgeCa is not null && EdgeCaTrust.Chains(certificate, chain, edgeCa)))
                    {
                        return true;
                    }

                    rejected = EdgeCertificateRejectedException.Describe(errors, certificate, chain, targetHost, edgeCa);
                    return false;
                },
                ApplicationProtocols = [new SslApplicationProtocol(BurrowProtocol.Alpn)],
                CipherSuitesPolicy = LinkCipherSuites.Policy,
            };

            try
            {
                await ssl.AuthenticateAsClientAsync(auth, timeout.Token).ConfigureAwait(false);
            }
            catch (System.Security.Authentication.AuthenticationException ex) when (rejected is not null)
            {
                await ssl.DisposeAsync().ConfigureAwait(false);
                throw new EdgeCertificateRejectedException(rejected, ex);
            }

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

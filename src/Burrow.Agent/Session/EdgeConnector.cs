using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Burrow.Mux.Transport;
using Burrow.Protocol.Tls;
using Burrow.Protocol.Versioning;

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
            var auth = new SslClientAuthenticationOptions
            {
                TargetHost = targetHost,
                // The usual checks (with the chain policy below), keeping the reason: a refused certificate is a
                // setup problem to explain to the person, not a network blip to retry in silence.
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                {
                    if (errors != SslPolicyErrors.None)
                    {
                        rejected = EdgeCertificateRejectedException.Describe(errors, certificate, chain, targetHost);
                    }

                    return errors == SslPolicyErrors.None;
                },
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

using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Burrow.Edge.Certificates;
using Burrow.Edge.Certificates.OnDemand;
using Burrow.Edge.Routing;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Versioning;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Burrow.Edge.Tls;

/// <summary>
/// The edge's side of each public HTTPS handshake (Kestrel's per-connection callback): the certificate for the SNI name,
/// and, only when that name is an http tunnel with mutual TLS, a request for the client's certificate. Every other
/// name's handshake asks for none.
/// </summary>
internal sealed class HttpsHandshake
{
    // burrow/1 last: a client offering h2 too gets h2 (the server's order wins).
    private static readonly List<SslApplicationProtocol> Protocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11, new SslApplicationProtocol(BurrowProtocol.Alpn)];

    private readonly CertificateStore _certificates;
    private readonly TunnelRegistry _tunnels;
    private readonly AcmeChallengeResponder? _acme;

    public HttpsHandshake(CertificateStore certificates, TunnelRegistry tunnels, AcmeChallengeResponder? acme = null)
    {
        _certificates = certificates;
        _tunnels = tunnels;
        _acme = acme;
    }

    public ValueTask<SslServerAuthenticationOptions> OnConnectionAsync(TlsHandshakeCallbackContext context)
    {
        string? serverName = context.ClientHelloInfo.ServerName;
        if (_acme?.ValidationHandshake(context.Connection, serverName) is { } validation)
        {
            return ValueTask.FromResult(validation);
        }

        SslStreamCertificateContext certificate = _certificates.Select(serverName);
        if (string.IsNullOrEmpty(serverName)
            || _tunnels.FindByHost(serverName) is not { Proto: TunnelProtocols.Http, MutualTls: { } mutualTls } tunnel)
        {
            return ValueTask.FromResult(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = certificate,
                ApplicationProtocols = Protocols,
            });
        }

        var record = new HandshakeClientCertificate(tunnel, mutualTls);
        context.Connection.Items[HandshakeClientCertificate.ItemKey] = record;
        return ValueTask.FromResult(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = mutualTls.ContextFor(certificate),
            ApplicationProtocols = Protocols,
            ClientCertificateRequired = true,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, presented, _, _) => record.Observe(presented),
        });
    }
}

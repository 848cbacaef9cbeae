using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Burrow.Edge.Certificates;
using Burrow.Edge.Certificates.OnDemand;
using Burrow.Edge.Routing;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Tls;
using Burrow.Protocol.Versioning;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Burrow.Edge.Tls;

/// <summary>
/// The edge's side of each public HTTPS handshake (Kestrel's per-connection callback): the certificate for the SNI name,
/// and, only when that name is an http tunnel with mutual TLS, a request for the client's certificate. Every other
/// name's handshake asks for none. Every handshake follows <see cref="PublicTlsProfile"/>.
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
        // Only a hello offering acme-tls/1 alone can be a validation; every other handshake stays synchronous.
        if (_acme is not null && context.Connection.Items.ContainsKey(AcmeChallengeResponder.OnlyAcmeTlsItem))
        {
            return ValidationOrDefaultAsync(context, serverName);
        }

        return ValueTask.FromResult(Options(context, serverName));
    }

    private async ValueTask<SslServerAuthenticationOptions> ValidationOrDefaultAsync(TlsHandshakeCallbackContext context, string? serverName) =>
        await _acme!.ValidationHandshakeAsync(context.Connection, serverName).ConfigureAwait(false) ?? Options(context, serverName);

    private SslServerAuthenticationOptions Options(TlsHandshakeCallbackContext context, string? serverName)
    {
        SslStreamCertificateContext certificate = _certificates.Select(serverName);
        if (string.IsNullOrEmpty(serverName)
            || _tunnels.FindByHost(serverName) is not { Proto: TunnelProtocols.Http, MutualTls: { } mutualTls } tunnel)
        {
            return PublicTlsProfile.Apply(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = certificate,
                ApplicationProtocols = Protocols,
            });
        }

        var record = new HandshakeClientCertificate(tunnel, mutualTls);
        context.Connection.Items[HandshakeClientCertificate.ItemKey] = record;
        return PublicTlsProfile.Apply(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = mutualTls.ContextFor(certificate),
            ApplicationProtocols = Protocols,
            ClientCertificateRequired = true,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, presented, _, _) => record.Observe(presented),
        });
    }
}

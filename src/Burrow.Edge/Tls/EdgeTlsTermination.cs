using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Burrow.Edge.Certificates;
using Burrow.Edge.Routing;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Tls;
using Microsoft.AspNetCore.Connections;

namespace Burrow.Edge.Tls;

/// <summary>
/// TLS of a tls tunnel ended at the edge (<c>terminate_at: edge</c>): the handshake with the edge's own certificate for
/// the name (as an https tunnel of that name would present), with the tunnel's client CAs when it has mutual TLS; the
/// plaintext then goes to the agent like a tcp tunnel's bytes.
/// </summary>
/// <remarks>
/// Unlike http tunnels, a refused client certificate fails the handshake: the stream has no HTTP to carry an error page,
/// and an alert is what TLS clients of a raw service (databases, MQTT, custom protocols) expect.
/// </remarks>
internal sealed class EdgeTlsTermination
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly CertificateStore _certificates;

    public EdgeTlsTermination(CertificateStore certificates)
    {
        _certificates = certificates;
    }

    /// <summary>The server side of the handshake; the TLS stream, or the <c>ERR_BURROW_3008</c>/<c>3009</c> error that says why not.</summary>
    public Task<(SslStream? Stream, ProtocolError? Error)> AcceptAsync(ConnectionContext connection, Tunnel tunnel, string serverName, string clientAddr)
        => AcceptAsync(new TransportStream(connection.Transport), tunnel, serverName, clientAddr, connection.ConnectionClosed);

    /// <summary>
    /// The handshake over <paramref name="transport"/>, whose first bytes are the client's ClientHello: a Kestrel
    /// connection here, or a node-link stream that another node of the cluster carried the client's bytes on. The TLS
    /// stream owns <paramref name="transport"/>, also when the handshake fails.
    /// </summary>
    public async Task<(SslStream? Stream, ProtocolError? Error)> AcceptAsync(Stream transport, Tunnel tunnel, string serverName, string clientAddr, CancellationToken connectionClosed)
    {
        TunnelMutualTls? mutualTls = tunnel.MutualTls;
        string? refusal = null;
        SslStreamCertificateContext certificate = _certificates.Select(serverName);
        var options = PublicTlsProfile.Apply(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = mutualTls?.ContextFor(certificate) ?? certificate,
            ClientCertificateRequired = mutualTls is not null,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        });
        if (mutualTls is not null)
        {
            options.RemoteCertificateValidationCallback = (_, presented, _, _) =>
            {
                refusal = ClientCertificateCheck.Refusal(presented as X509Certificate2, mutualTls.Authorities);
                return refusal is null;
            };
        }

        var ssl = new SslStream(transport, leaveInnerStreamOpen: false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connectionClosed);
        timeout.CancelAfter(HandshakeTimeout);
        try
        {
            await ssl.AuthenticateAsServerAsync(options, timeout.Token).ConfigureAwait(false);
            return (ssl, null);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or ConnectionResetException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            return refusal is not null
                ? (null, ErrorCodes.ClientCertificateRefused.ToError(clientAddr, refusal))
                : (null, ErrorCodes.ClientTlsHandshakeFailed.ToError(clientAddr,
                    ex is OperationCanceledException ? $"no complete handshake within {HandshakeTimeout.TotalSeconds:0} s" : (ex.InnerException?.Message ?? ex.Message).Trim().TrimEnd('.')));
        }
    }

    /// <summary>What the agent is told about the client's TLS in the proxy header.</summary>
    public static ProxyTlsInfo Describe(SslStream ssl) => new()
    {
        Terminated = true,
        Version = ssl.SslProtocol switch
        {
            SslProtocols.Tls13 => "TLSv1.3",
            SslProtocols.Tls12 => "TLSv1.2",
            var other => other.ToString(),
        },
        Alpn = ssl.NegotiatedApplicationProtocol.Protocol.IsEmpty ? null : ssl.NegotiatedApplicationProtocol.ToString(),
        ClientCertificate = ssl.RemoteCertificate is X509Certificate2 client ? ClientCertificateInfo.Describe(client) : null,
    };
}

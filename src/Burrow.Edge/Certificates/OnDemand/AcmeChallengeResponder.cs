using System.Net.Security;
using Burrow.Acme.Challenges;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Burrow.Edge.Certificates.OnDemand;

/// <summary>
/// Answers a CA's HTTP-01 and TLS-ALPN-01 validations on the edge's public listeners while an on-demand order is
/// pending: <c>GET /.well-known/acme-challenge/{token}</c> on the plain HTTP listener, before any tunnel sees the
/// request; and on the HTTPS listener a ClientHello offering only ALPN <c>acme-tls/1</c> for a name with a pending
/// challenge gets the RFC 8737 certificate, after which the connection is closed. Exists only with <c>--acme-email</c>.
/// Answers are kept in the control store too (<see cref="StoredChallengeAnswers"/>): on a cluster, the CA may validate
/// an order one edge placed at another.
/// </summary>
internal sealed class AcmeChallengeResponder
{
    /// <summary>The connection item <c>TlsPassthrough</c> sets when the ClientHello offered only <c>acme-tls/1</c>.</summary>
    public const string OnlyAcmeTlsItem = "burrow.acme-tls/1";

    private static readonly List<SslApplicationProtocol> AcmeTlsOnly = [TlsAlpn01Challenges.Protocol];

    public AcmeChallengeResponder(Access.ControlPlane controlPlane, TimeProvider time, Microsoft.Extensions.Logging.ILogger<AcmeChallengeResponder> logger)
        : this(new StoredChallengeAnswers(() => controlPlane.Store, time, logger))
    {
    }

    internal AcmeChallengeResponder(IChallengeShare? share)
    {
        Http01 = new Http01Challenges(share);
        TlsAlpn01 = new TlsAlpn01Challenges(share);
    }

    /// <summary>The HTTP-01 answers of pending orders.</summary>
    public Http01Challenges Http01 { get; }

    /// <summary>The TLS-ALPN-01 certificates of pending orders.</summary>
    public TlsAlpn01Challenges TlsAlpn01 { get; }

    /// <summary>
    /// Answers an HTTP-01 validation request: any Host, only on the plain HTTP listener (where RFC 8555 section 8.3 has
    /// the CA ask), and a token no order is waiting for is 404, never passed to a tunnel. <see langword="null"/> for
    /// every other request.
    /// </summary>
    public Task? TryAnswerHttp01(HttpContext context)
    {
        HttpRequest request = context.Request;
        if (request.IsHttps || !request.Path.StartsWithSegments("/.well-known/acme-challenge", StringComparison.Ordinal))
        {
            return null;
        }

        return AnswerHttp01Async(context);
    }

    private async Task AnswerHttp01Async(HttpContext context)
    {
        HttpRequest request = context.Request;
        HttpResponse response = context.Response;
        response.Headers.CacheControl = "no-store";
        if ((HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            && await Http01.FindAsync(request.Path.Value, context.RequestAborted).ConfigureAwait(false) is { } keyAuthorization)
        {
            response.ContentType = "application/octet-stream";
            if (!HttpMethods.IsHead(request.Method))
            {
                await response.WriteAsync(keyAuthorization, context.RequestAborted).ConfigureAwait(false);
            }

            return;
        }

        response.StatusCode = StatusCodes.Status404NotFound;
    }

    /// <summary>
    /// Whether this connection is a TLS-ALPN-01 validation the edge answers itself: its ClientHello offered only
    /// <c>acme-tls/1</c> and a challenge for <paramref name="serverName"/> is pending. Any other <c>acme-tls/1</c> hello
    /// (a tls tunnel whose upstream gets its own certificate) goes where it would have gone. Only such a hello is looked
    /// up in the store, so ordinary connections never wait for it.
    /// </summary>
    public async ValueTask<bool> IsValidationAsync(ConnectionContext connection, string? serverName) =>
        connection.Items.ContainsKey(OnlyAcmeTlsItem) && await TlsAlpn01.FindAsync(serverName, connection.ConnectionClosed).ConfigureAwait(false) is not null;

    /// <summary>The handshake of a TLS-ALPN-01 validation (the challenge certificate, ALPN <c>acme-tls/1</c> alone), or <see langword="null"/>.</summary>
    public async ValueTask<SslServerAuthenticationOptions?> ValidationHandshakeAsync(ConnectionContext connection, string? serverName) =>
        connection.Items.ContainsKey(OnlyAcmeTlsItem) && await TlsAlpn01.FindAsync(serverName, connection.ConnectionClosed).ConfigureAwait(false) is { } certificate
            ? new SslServerAuthenticationOptions { ServerCertificateContext = certificate, ApplicationProtocols = AcmeTlsOnly }
            : null;

    /// <summary>Whether the handshake negotiated <c>acme-tls/1</c>: nothing follows it (RFC 8737 section 3), so the connection is closed.</summary>
    public static bool NegotiatedAcmeTls(ConnectionContext connection) =>
        connection.Features.Get<ITlsApplicationProtocolFeature>()?.ApplicationProtocol.Span.SequenceEqual("acme-tls/1"u8) == true;
}

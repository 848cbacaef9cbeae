using System.Security.Cryptography.X509Certificates;
using Burrow.Edge.Routing;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Burrow.Edge.Tls;

/// <summary>
/// What one public HTTPS connection's handshake found out about the client certificate, kept in the connection's items:
/// which tunnel's CAs it was checked against (the one the SNI named) and the verdict. Requests read it, because one
/// connection may carry requests for several names (HTTP/2 connection reuse) and only the handshake's name was checked.
/// </summary>
internal sealed class HandshakeClientCertificate
{
    /// <summary>The key in <see cref="IConnectionItemsFeature.Items"/>.</summary>
    public static readonly object ItemKey = typeof(HandshakeClientCertificate);

    public HandshakeClientCertificate(Tunnel tunnel, TunnelMutualTls mutualTls)
    {
        Tunnel = tunnel;
        _mutualTls = mutualTls;
    }

    private readonly TunnelMutualTls _mutualTls;

    /// <summary>The tunnel the handshake's SNI named, whose CAs were asked for.</summary>
    public Tunnel Tunnel { get; }

    /// <summary>The certificate the client presented, valid or not; <see langword="null"/> when it sent none.</summary>
    public X509Certificate2? Certificate { get; private set; }

    /// <summary>Why the certificate is not accepted by <see cref="Tunnel"/>; <see langword="null"/> when it is.</summary>
    public string? Refusal { get; private set; } = "no client certificate was presented";

    /// <summary>The handshake's certificate validation: records the certificate and the verdict, and lets the handshake go on.</summary>
    /// <remarks>
    /// Always true: a refused client then gets a 403 page saying why (ERR_BURROW_3009), which a person can read, where a
    /// failed handshake shows a browser's bare "bad certificate" and curl an alert number.
    /// </remarks>
    public bool Observe(System.Security.Cryptography.X509Certificates.X509Certificate? presented)
    {
        // Not disposed here: it is the TLS stream's own copy, which Kestrel also exposes as the connection's ClientCertificate.
        Certificate = presented as X509Certificate2 ?? (presented is null ? null : new X509Certificate2(presented));
        Refusal = ClientCertificateCheck.Refusal(Certificate, _mutualTls.Authorities);
        return true;
    }

    /// <summary>Why the certificate does not let a request into <paramref name="tunnel"/> (same name as <see cref="Tunnel"/>); <see langword="null"/> when it does.</summary>
    public string? RefusalFor(Tunnel tunnel, TunnelMutualTls mutualTls) =>
        // Re-bound since the handshake (an agent reconnected): its CAs may have changed, so the certificate is checked again.
        ReferenceEquals(tunnel, Tunnel) ? Refusal : ClientCertificateCheck.Refusal(Certificate, mutualTls.Authorities);

    /// <summary>The record of <paramref name="context"/>'s connection, when its handshake asked for a client certificate.</summary>
    public static HandshakeClientCertificate? Of(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ItemKey, out object? value) == true ? value as HandshakeClientCertificate : null;

    /// <summary>
    /// The client certificate validated for <paramref name="tunnel"/> on this request's connection, or <see langword="null"/>.
    /// Policy reads it here rather than from <see cref="ConnectionInfo.ClientCertificate"/>, which on a reused connection may
    /// hold a certificate checked for another name (or none) and is set even when the check failed.
    /// </summary>
    public static X509Certificate2? ValidatedFor(HttpContext context, Tunnel tunnel) =>
        tunnel.MutualTls is { } mutualTls && Of(context) is { } record
        && string.Equals(record.Tunnel.Hostname, tunnel.Hostname, StringComparison.OrdinalIgnoreCase)
        && record.RefusalFor(tunnel, mutualTls) is null
            ? record.Certificate
            : null;
}

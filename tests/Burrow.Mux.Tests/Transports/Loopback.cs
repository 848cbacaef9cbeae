using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Burrow.Mux.Transport;

namespace Burrow.Mux.Tests.Transports;

/// <summary>Real connected stream pairs on 127.0.0.1: plain TCP, and TLS 1.3 over it.</summary>
internal static class Loopback
{
    private static readonly Lazy<X509Certificate2> Certificate = new(CreateCertificate);

    public static async Task<(Stream Client, Stream Server)> ConnectTcpAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var accept = listener.AcceptAsync();
        await client.ConnectAsync(listener.LocalEndPoint!);
        var server = await accept;
        server.NoDelay = true;
        return (new NetworkStream(client, ownsSocket: true), new NetworkStream(server, ownsSocket: true));
    }

    /// <summary>TLS 1.3 over loopback TCP; with <paramref name="coalesce"/>, over a write-coalescing stream on each end, turned on after the handshake.</summary>
    public static async Task<(Stream Client, Stream Server)> ConnectTlsAsync(bool coalesce = false)
    {
        var (clientTcp, serverTcp) = await ConnectTcpAsync();
        Stream clientRaw = coalesce ? new WriteCoalescingStream(clientTcp) : clientTcp;
        Stream serverRaw = coalesce ? new WriteCoalescingStream(serverTcp) : serverTcp;
        var client = new SslStream(clientRaw, leaveInnerStreamOpen: false);
        var server = new SslStream(serverRaw, leaveInnerStreamOpen: false);
        var serverAuth = server.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificate = Certificate.Value,
            ApplicationProtocols = [new SslApplicationProtocol("burrow/1")],
        });
        await client.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = [new SslApplicationProtocol("burrow/1")],
            RemoteCertificateValidationCallback = (_, cert, _, _) => cert?.GetCertHashString() == Certificate.Value.GetCertHashString(),
        });
        await serverAuth;
        if (coalesce)
        {
            ((WriteCoalescingStream)clientRaw).Coalescing = true;
            ((WriteCoalescingStream)serverRaw).Coalescing = true;
        }

        return (client, server);
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }
}

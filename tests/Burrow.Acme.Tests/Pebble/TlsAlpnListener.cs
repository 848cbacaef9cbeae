using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Burrow.Acme.Challenges;

namespace Burrow.Acme.Tests.Pebble;

/// <summary>A TLS listener that only answers TLS-ALPN-01 validations: the pending challenge certificate for the SNI name, ALPN acme-tls/1, then close.</summary>
internal sealed class TlsAlpnListener : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly TlsAlpn01Challenges _challenges;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public TlsAlpnListener(TlsAlpn01Challenges challenges)
    {
        _challenges = challenges;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = AcceptAsync();
    }

    public int Port { get; }

    public int Handshakes { get; private set; }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                await using var tls = new SslStream(client.GetStream());
                await tls.AuthenticateAsServerAsync((_, hello, _, _) =>
                    _challenges.TryGet(hello.ServerName, out var certificate)
                        ? ValueTask.FromResult(new SslServerAuthenticationOptions
                        {
                            ServerCertificateContext = certificate,
                            ApplicationProtocols = [TlsAlpn01Challenges.Protocol],
                        })
                        : throw new AuthenticationException("no challenge pending for " + hello.ServerName), null, _stop.Token);
                Handshakes++;
            }
            catch (Exception e) when (e is IOException or AuthenticationException or OperationCanceledException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}

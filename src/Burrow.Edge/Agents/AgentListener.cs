using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Burrow.Edge.Certificates;
using Burrow.Edge.Errors;
using Burrow.Edge.Health;
using Burrow.Edge.Tcp;
using Burrow.Mux.Transport;
using Burrow.Protocol.Tls;
using Burrow.Protocol.Versioning;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Agents;

/// <summary>
/// The agent port: its own accept loop, TLS and mux session per connection, not Kestrel's.
/// </summary>
/// <remarks>
/// Every byte of every tunnel crosses this connection, so it gets the shortest path there is:
/// socket, SslStream, the mux's pipe reader (64 KiB reads). Through Kestrel the same bytes were
/// read 4 KiB at a time (its fixed block size: two system calls per 4 KiB under a download) and
/// passed through two more pipes and a thread hop before the mux saw them. Agents that come in
/// on the HTTPS port (ALPN burrow/1) still go through Kestrel; both end in
/// <see cref="AgentConnectionHandler"/>.
/// </remarks>
internal sealed partial class AgentListener : IAsyncDisposable
{
    /// <summary>How long a new connection has to finish its TLS handshake (Kestrel's default too).</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly AcceptLoop _accepts;
    private readonly AgentConnectionHandler _handler;
    private readonly Ngrok.NgrokConnectionHandler _ngrok;
    private readonly CertificateStore _certificates;
    private readonly OpenConnections _counted;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closeRequested = new();
    private readonly CancellationTokenSource _aborted = new();

    private AgentListener(Socket socket, AgentConnectionHandler handler, Ngrok.NgrokConnectionHandler ngrok, CertificateStore certificates, OpenConnections counted, ILogger logger)
    {
        _accepts = new AcceptLoop(socket, "agent listener", ServeAsync, logger);
        _handler = handler;
        _ngrok = ngrok;
        _certificates = certificates;
        _counted = counted;
        _logger = logger;
    }

    /// <summary>The address bound (with the port the system chose, for port 0).</summary>
    public IPEndPoint LocalEndPoint => _accepts.LocalEndPoint;

    /// <summary>Binds <paramref name="endPoint"/>; throws <see cref="IOException"/> when it cannot (in use, not permitted).</summary>
    public static AgentListener Bind(IPEndPoint endPoint, AgentConnectionHandler handler, Ngrok.NgrokConnectionHandler ngrok, CertificateStore certificates, OpenConnections counted, ILogger logger)
    {
        try
        {
            return new AgentListener(ListenSocket.Open(endPoint), handler, ngrok, certificates, counted, logger);
        }
        catch (SocketException ex)
        {
            throw ListenFailure.For(new ListenFailure.Listener("agent listener", endPoint, "--agent-addr"), ex);
        }
    }

    /// <summary>Starts accepting agents.</summary>
    public void Start() => _accepts.Start();

    /// <summary>
    /// Stops accepting and asks every agent connection to close once the edge is idle (as Kestrel
    /// does for its connections); those still open when <paramref name="drain"/> fires are cut.
    /// </summary>
    public async Task StopAsync(CancellationToken drain)
    {
        _accepts.StopAccepting();
        await _accepts.Completion.ConfigureAwait(false);
        AgentConnectionHandler.CancelQuietly(_closeRequested);
        try
        {
            await _accepts.WhenConnectionsClosedAsync().WaitAsync(drain).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            AgentConnectionHandler.CancelQuietly(_aborted);
            await _accepts.WhenConnectionsClosedAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        AgentConnectionHandler.CancelQuietly(_closeRequested);
        AgentConnectionHandler.CancelQuietly(_aborted);
        await _accepts.DisposeAsync().ConfigureAwait(false);
        _closeRequested.Dispose();
        _aborted.Dispose();
    }

    private async Task ServeAsync(Socket client)
    {
        TransportSocket.Configure(client);
        _counted.AgentOpened();
        string remote = client.RemoteEndPoint?.ToString() ?? "unknown";
        try
        {
            var socketStream = new Ngrok.QuickAckStream(client);
            var coalescing = new WriteCoalescingStream(socketStream);
            var tls = new SslStream(coalescing, leaveInnerStreamOpen: false);
            try
            {
                using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(_aborted.Token))
                {
                    handshake.CancelAfter(HandshakeTimeout);
                    await tls.AuthenticateAsServerAsync(SelectOptionsAsync, null, handshake.Token).ConfigureAwait(false);
                }

                coalescing.Coalescing = true;
            }
            catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Not a TLS client, a wrong name, too slow: the connection just ends, as Kestrel's did.
                Log.HandshakeFailed(_logger, remote, ex.Message);
                await tls.DisposeAsync().ConfigureAwait(false);
                return;
            }

            // The mux session owns the TLS stream (and through it the socket) from here on. Burrow
            // agents offer ALPN burrow/1; ngrok's clients offer none and speak muxado.
            if (tls.NegotiatedApplicationProtocol.Protocol.IsEmpty)
            {
                socketStream.Enabled = true;
                await _ngrok.ServeStreamAsync(tls, client.RemoteEndPoint, remote, _aborted.Token, _closeRequested.Token).ConfigureAwait(false);
            }
            else
            {
                await _handler.ServeStreamAsync(tls, client.RemoteEndPoint, remote, _aborted.Token, _closeRequested.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
        {
            Log.ConnectionFailed(_logger, remote, ex.Message);
        }
        finally
        {
            _counted.AgentClosed();
        }
    }

    private ValueTask<SslServerAuthenticationOptions> SelectOptionsAsync(SslStream stream, SslClientHelloInfo hello, object? state, CancellationToken cancellationToken)
        => ValueTask.FromResult(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = _certificates.Select(hello.ServerName),
            ApplicationProtocols = [new SslApplicationProtocol(BurrowProtocol.Alpn)],
            CipherSuitesPolicy = LinkCipherSuites.Policy,
        });

    private static partial class Log
    {
        [LoggerMessage(EventId = 1011, EventName = "AgentHandshakeFailed", Level = LogLevel.Debug, Message = "TLS handshake with {RemoteAddress} on the agent port failed: {Reason}")]
        public static partial void HandshakeFailed(ILogger logger, string remoteAddress, string reason);

        [LoggerMessage(EventId = 1012, EventName = "AgentConnectionFailed", Level = LogLevel.Debug, Message = "Agent connection from {RemoteAddress} failed: {Reason}")]
        public static partial void ConnectionFailed(ILogger logger, string remoteAddress, string reason);
    }
}

using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Burrow.Protocol.Errors;

namespace Burrow.Agent.Forwarding;

/// <summary>Opens connections to a tunnel's upstream, TLS included, and words failures for the edge's 502 page.</summary>
internal static class UpstreamDialer
{
    private static readonly TimeSpan DialTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Connects; on failure returns the <c>ERR_BURROW_3002</c> error naming the address and the cause.</summary>
    public static async Task<(UpstreamConnection? Connection, ProtocolError? Error)> DialAsync(
        string host, int port, bool tls, string display, bool verify, bool http2, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(DialTimeout);
        try
        {
            await socket.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                var options = new SslClientAuthenticationOptions
                {
                    TargetHost = host,
                    ApplicationProtocols = [http2 ? SslApplicationProtocol.Http2 : SslApplicationProtocol.Http11],
                };
                if (!verify)
                {
                    // The user turned verification off for this upstream (--upstream-tls-verify=false), e.g. a self-signed dev server.
#pragma warning disable CA5359
                    options.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
                }

                await ssl.AuthenticateAsClientAsync(options, timeout.Token).ConfigureAwait(false);
                stream = ssl;
            }

            return (new UpstreamConnection(socket, stream), null);
        }
        catch (Exception ex) when (ex is SocketException or IOException or AuthenticationException or OperationCanceledException)
        {
            socket.Dispose();
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            string reason = ex switch
            {
                OperationCanceledException => $"no answer within {DialTimeout.TotalSeconds:0} s",
                AuthenticationException auth => $"TLS handshake failed: {auth.InnerException?.Message ?? auth.Message}"
                    + (verify ? " (use --upstream-tls-verify=false for a self-signed certificate)" : ""),
                _ => ex.Message,
            };
            return (null, ErrorCodes.UpstreamUnreachable.ToError(display, reason.TrimEnd('.')));
        }
    }
}

using System.Net.Sockets;
using System.Security.Authentication;
using Burrow.Mux.Errors;
using Burrow.Mux.Sessions;
using Burrow.Protocol.Errors;

namespace Burrow.Agent.Session;

/// <summary>
/// How a connection to the edge failed or ended, in the few words the status and the events carry, and which
/// failures retrying cannot mend.
/// </summary>
internal static class ConnectionFailures
{
    /// <summary>
    /// The error to show for a failure that stays until the person changes something (a name that does not resolve,
    /// a certificate not trusted); <see langword="null"/> for one that may pass.
    /// </summary>
    public static ProtocolError? Hopeless(Exception ex, string serverAddress)
    {
        if (ex is SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData } dns)
        {
            string host = EdgeConnector.SplitHostPort(serverAddress).Host;
            return ErrorCodes.EdgeHostNotFound.ToError(host, dns.Message.TrimEnd('.'));
        }

        return ex is EdgeCertificateRejectedException rejected
            ? ErrorCodes.EdgeCertificateUntrusted.ToError(serverAddress, rejected.Message)
            : null;
    }

    /// <summary>
    /// Whether <paramref name="ex"/>, thrown while connecting to the edge or serving the connection, ends only this
    /// connection: the session (or leg) backs off and connects again. Anything else is a bug and is let through.
    /// </summary>
    public static bool IsRetryable(Exception ex) =>
        ex is IOException or SocketException or AuthenticationException or OperationCanceledException or TimeoutException
            or MuxException or ProtocolException or InvalidOperationException;

    /// <summary>Why connecting failed, without a closing period (e.g. <c>timed out</c>).</summary>
    public static string Describe(Exception ex) =>
        (ex is AuthenticationException auth
            ? $"TLS handshake failed: {auth.InnerException?.Message ?? auth.Message}"
            : ex is OperationCanceledException or TimeoutException ? "timed out" : ex.Message).TrimEnd('.');

    /// <summary>Whether the edge's refusal of <c>auth</c> will be the same on every try (the token, the protocol version).</summary>
    public static bool IsFinalRefusal(ProtocolError refused) =>
        ErrorCodes.MissingAuthtoken.Matches(refused) || ErrorCodes.InvalidAuthtoken.Matches(refused)
        || ErrorCodes.AuthtokenRevoked.Matches(refused) || ErrorCodes.AuthtokenExpired.Matches(refused)
        || ErrorCodes.ProtocolVersionUnsupported.Matches(refused);

    /// <summary>
    /// The least wait before connecting again after <paramref name="refused"/>: what its <c>retry_after_s</c> says (a
    /// refusal that time lifts; trying sooner only earns the same refusal), at most an hour; zero when it says nothing.
    /// </summary>
    public static TimeSpan RetryAfter(ProtocolError refused) => TimeSpan.FromSeconds(Math.Clamp(refused.RetryAfterSeconds ?? 0, 0, 3600));

    /// <summary>Why an online session's mux ended.</summary>
    public static string DescribeEnd(MuxCloseInfo info) => info.Reason switch
    {
        MuxCloseReason.TransportClosed => "the edge closed the connection",
        MuxCloseReason.KeepAliveTimeout => "no keepalive answer from the edge",
        MuxCloseReason.RemoteGoAway => "the edge ended the session",
        _ => info.Message,
    };
}

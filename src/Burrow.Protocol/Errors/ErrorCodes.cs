using System.Collections.Frozen;

namespace Burrow.Protocol;

/// <summary>
/// The catalog of every error Burrow reports, shared by edge and agent. Codes are stable: a code
/// is never reused for another meaning, and <c>docs/errors.md</c> lists each one with its cause
/// and fix (a test keeps the two in step).
/// </summary>
/// <remarks>
/// Areas by thousands: 1xxx authentication and session, 2xxx binding tunnels, 3xxx proxying
/// public traffic (these carry an HTTP status), 4xxx the wire protocol, 5xxx the edge itself.
/// </remarks>
public static class ErrorCodes
{
    // :: 1xxx authentication and session

    /// <summary>1001: the agent sent no authtoken.</summary>
    public static readonly ErrorCode MissingAuthtoken = new(
        1001, nameof(MissingAuthtoken), 401,
        "No authtoken was given.",
        "Give the agent a token with --authtoken or the authtoken setting of its config file; the edge operator creates tokens.");

    /// <summary>1002: the authtoken is unknown, revoked or expired.</summary>
    public static readonly ErrorCode InvalidAuthtoken = new(
        1002, nameof(InvalidAuthtoken), 401,
        "The authtoken is not valid.",
        "Check that the token was copied whole and has not been revoked or expired; ask the edge operator for a new one.");

    /// <summary>1003: agent and edge share no protocol version. Args: agent version, lowest and highest supported.</summary>
    public static readonly ErrorCode ProtocolVersionUnsupported = new(
        1003, nameof(ProtocolVersionUnsupported), null,
        "Protocol version {0} is not supported; this side speaks versions {1} to {2}.",
        "Upgrade the older of agent and edge so that both speak a common protocol version.");

    /// <summary>1004: the session asked to resume is gone. Args: session id.</summary>
    public static readonly ErrorCode ResumeExpired = new(
        1004, nameof(ResumeExpired), null,
        "Session '{0}' can no longer be resumed; its grace period has passed.",
        "Nothing to fix: the agent starts a new session and binds its tunnels again, and random URLs may change. Reserve a hostname to keep a stable URL.");

    // :: 2xxx binding tunnels

    /// <summary>2001: another tunnel serves the hostname. Args: hostname.</summary>
    public static readonly ErrorCode HostnameTaken = new(
        2001, nameof(HostnameTaken), 409,
        "Hostname '{0}' is already served by another tunnel.",
        "Stop the other tunnel that uses it, choose another name, or reserve the hostname for your account.");

    /// <summary>2002: the token may not bind the hostname. Args: hostname.</summary>
    public static readonly ErrorCode HostnameNotAllowed = new(
        2002, nameof(HostnameNotAllowed), 403,
        "This authtoken may not bind hostname '{0}'.",
        "Use a hostname reserved for your account or allowed by your token's scope, or ask the edge operator to reserve it.");

    /// <summary>2003: the subdomain is not a DNS label. Args: subdomain, reason.</summary>
    public static readonly ErrorCode InvalidSubdomain = new(
        2003, nameof(InvalidSubdomain), 400,
        "'{0}' is not a valid subdomain: {1}.",
        "Use 1 to 63 lowercase letters, digits and hyphens that neither start nor end with a hyphen, for example my-app.");

    /// <summary>2004: an endpoint option has a bad value. Args: the option (with the entry), reason.</summary>
    public static readonly ErrorCode InvalidOptionValue = new(
        2004, nameof(InvalidOptionValue), 400,
        "Invalid {0}: {1}.",
        "Correct the option named in the message: basic auth is user:password with a password of 8 to 128 characters, CIDR is 10.0.0.0/8 or a bare IP, a header to add is Name:value.");

    /// <summary>2005: the TCP port cannot be bound. Args: port.</summary>
    public static readonly ErrorCode TcpPortUnavailable = new(
        2005, nameof(TcpPortUnavailable), 409,
        "TCP port {0} is not available.",
        "Leave the port out to get a free one, choose another port in the edge's range, or reserve the port for your account.");

    /// <summary>2006: the bind names a protocol the edge does not serve. Args: proto.</summary>
    public static readonly ErrorCode UnknownProto = new(
        2006, nameof(UnknownProto), 400,
        "Unknown tunnel protocol '{0}'; expected http, tcp or tls.",
        "Use http, tcp or tls; if the agent is newer than the edge, upgrade the edge.");

    /// <summary>2007: the session or account has reached its tunnel limit. Args: limit.</summary>
    public static readonly ErrorCode TooManyTunnels = new(
        2007, nameof(TooManyTunnels), 429,
        "The limit of {0} tunnels has been reached.",
        "Stop tunnels you no longer need, or ask the edge operator to raise the limit.");

    /// <summary>2008: the hostname is not a valid DNS name. Args: hostname, reason.</summary>
    public static readonly ErrorCode InvalidHostname = new(
        2008, nameof(InvalidHostname), 400,
        "'{0}' is not a valid hostname: {1}.",
        "Give a lowercase DNS name such as app.example.com: labels of 1 to 63 letters, digits and hyphens, 253 characters at most, no scheme, port or path.");

    // :: 3xxx proxying public traffic

    /// <summary>3001: no tunnel serves the requested host. Args: host.</summary>
    public static readonly ErrorCode TunnelNotFound = new(
        3001, nameof(TunnelNotFound), 404,
        "No tunnel is online for '{0}'.",
        "Start the agent for this URL and check the URL's spelling; a random URL changes when its agent restarts.");

    /// <summary>3002: the agent could not connect to the local service. Args: upstream address, reason.</summary>
    public static readonly ErrorCode UpstreamUnreachable = new(
        3002, nameof(UpstreamUnreachable), 502,
        "The agent could not connect to {0}: {1}.",
        "Check that the local service is running and listening on that address; localhost may resolve to ::1, and inside a container use the service's own address.");

    /// <summary>3003: the local service did not answer in time. Args: upstream address, timeout.</summary>
    public static readonly ErrorCode UpstreamTimeout = new(
        3003, nameof(UpstreamTimeout), 504,
        "{0} did not respond within {1}.",
        "Check why the local service is slow or stuck, or raise the tunnel's timeout.");

    /// <summary>3004: the agent session for the tunnel is gone. Args: host.</summary>
    public static readonly ErrorCode AgentSessionGone = new(
        3004, nameof(AgentSessionGone), 502,
        "The agent serving '{0}' has disconnected.",
        "Check the agent's network and logs; it reconnects by itself and gets the same URL back within the resume grace period.");

    /// <summary>3005: the tunnel requires basic auth and the request had none or a wrong one.</summary>
    public static readonly ErrorCode BasicAuthRequired = new(
        3005, nameof(BasicAuthRequired), 401,
        "Authentication required.",
        "Send the user name and password that the tunnel's owner configured (HTTP basic auth).");

    /// <summary>3006: the client address is denied by the tunnel's CIDR rules. Args: client IP.</summary>
    public static readonly ErrorCode IpDenied = new(
        3006, nameof(IpDenied), 403,
        "Access from {0} is denied.",
        "Ask the tunnel's owner to allow your address (cidr_allow) or to lift the deny rule (cidr_deny).");

    /// <summary>3007: the local service closed the connection or answered with something that is not HTTP. Args: upstream address, reason.</summary>
    public static readonly ErrorCode UpstreamBadResponse = new(
        3007, nameof(UpstreamBadResponse), 502,
        "{0} closed the connection without a valid HTTP response: {1}.",
        "Check that the local service speaks the protocol the tunnel expects: use https:// for a TLS upstream, and --upstream-protocol http2 only for an h2c server.");

    /// <summary>3013: the request's headers are over the edge's limit. Args: what was over, the limit.</summary>
    public static readonly ErrorCode RequestHeadersTooLarge = new(
        3013, nameof(RequestHeadersTooLarge), 431,
        "The request headers are too large: {0} exceeds the limit of {1}.",
        "Send fewer or smaller headers (large cookies are the usual cause), or ask the edge operator to raise --max-request-header-bytes or --max-request-headers.");

    /// <summary>3014: the request body is over the edge's limit. Args: the limit in bytes.</summary>
    public static readonly ErrorCode RequestBodyTooLarge = new(
        3014, nameof(RequestBodyTooLarge), 413,
        "The request body exceeds the limit of {0} bytes.",
        "Send a smaller body, or ask the edge operator to raise --max-request-body.");

    // :: 4xxx wire protocol

    /// <summary>4001: a message could not be decoded. Args: what was wrong.</summary>
    public static readonly ErrorCode MalformedMessage = new(
        4001, nameof(MalformedMessage), null,
        "Malformed message: {0}.",
        "Make sure both ends are Burrow in compatible versions and that nothing between them alters the stream; the session is closed.");

    /// <summary>4002: a message is longer than the limit. Args: length, limit.</summary>
    public static readonly ErrorCode MessageTooLarge = new(
        4002, nameof(MessageTooLarge), null,
        "A message of {0} bytes exceeds the limit of {1} bytes.",
        "Send fewer or shorter options (basic auth entries, CIDR rules, headers) in one bind; the session is closed.");

    /// <summary>4003: a message of an unknown type, or one not valid at this point. Args: what was received and why.</summary>
    public static readonly ErrorCode UnexpectedMessage = new(
        4003, nameof(UnexpectedMessage), null,
        "Unexpected message: {0}.",
        "Upgrade the older of agent and edge; a peer must not send a message type before the protocol version that defines it.");

    // :: 5xxx the edge itself

    /// <summary>5001: the edge is shutting down and takes no new sessions or tunnels.</summary>
    public static readonly ErrorCode EdgeDraining = new(
        5001, nameof(EdgeDraining), 503,
        "The edge is shutting down.",
        "Nothing to fix: the agent reconnects, to another edge when there is one; retry the request shortly.");

    /// <summary>5002: an unexpected failure in the edge. Args: a reference to find it in the logs.</summary>
    public static readonly ErrorCode InternalError = new(
        5002, nameof(InternalError), 500,
        "Internal edge error (reference {0}).",
        "Retry; if it persists, give the reference to the edge operator, who finds the cause in the edge's logs.");

    /// <summary>5010: too many failed authentications from one address. Args: the address, seconds until it may try again.</summary>
    public static readonly ErrorCode TooManyAuthFailures = new(
        5010, nameof(TooManyAuthFailures), null,
        "Too many failed authentications from {0}; try again in {1} s.",
        "Check the agent's authtoken (a wrong token fails every time); the edge counts failures per address and lifts the block by itself. The edge operator sets the rate with --auth-failures-per-minute.");

    /// <summary>Every code, in numeric order.</summary>
    public static IReadOnlyList<ErrorCode> All { get; } =
    [
        MissingAuthtoken, InvalidAuthtoken, ProtocolVersionUnsupported, ResumeExpired,
        HostnameTaken, HostnameNotAllowed, InvalidSubdomain, InvalidOptionValue, TcpPortUnavailable, UnknownProto, TooManyTunnels, InvalidHostname,
        TunnelNotFound, UpstreamUnreachable, UpstreamTimeout, AgentSessionGone, BasicAuthRequired, IpDenied, UpstreamBadResponse,
        RequestHeadersTooLarge, RequestBodyTooLarge,
        MalformedMessage, MessageTooLarge, UnexpectedMessage,
        EdgeDraining, InternalError, TooManyAuthFailures,
    ];

    // Declared after All on purpose: static initializers run in textual order.
    private static readonly FrozenDictionary<string, ErrorCode> ByCode =
        All.ToFrozenDictionary(e => e.Code, StringComparer.Ordinal);

    /// <summary>Looks a code up by its wire form.</summary>
    /// <param name="code">For example <c>ERR_BURROW_2001</c>.</param>
    /// <returns>The entry, or <see langword="null"/> when this build does not know the code.</returns>
    public static ErrorCode? Find(string? code) =>
        code is not null && ByCode.TryGetValue(code, out var entry) ? entry : null;
}

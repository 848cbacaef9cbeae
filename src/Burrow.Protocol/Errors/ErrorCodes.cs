using System.Collections.Frozen;

namespace Burrow.Protocol.Errors;

/// <summary>
/// The catalog of every error Burrow reports, shared by edge and agent. Codes are stable: a code
/// is never reused for another meaning, and <c>docs/errors.md</c> lists each one with its cause
/// and fix (a test keeps the two in step).
/// </summary>
/// <remarks>
/// Areas by thousands: 1xxx authentication and session, 2xxx binding tunnels, 3xxx proxying
/// public traffic (those a public HTTP client can meet carry an HTTP status), 4xxx the wire protocol, 5xxx the edge itself,
/// 6xxx the agent's web interface, 7xxx the config file, 8xxx the admin API and CLI.
/// public traffic (these carry an HTTP status), 4xxx the wire protocol, 5xxx the edge itself, 6xxx the agent's web interface.
/// </remarks>
public static class ErrorCodes
{
    // :: 1xxx authentication and session

    /// <summary>1001: the agent sent no authtoken.</summary>
    public static readonly ErrorCode MissingAuthtoken = new(
        1001, nameof(MissingAuthtoken), 401,
        "No authtoken was given.",
        "Give the agent a token with --authtoken or the authtoken setting of its config file; the edge operator creates tokens.");

    /// <summary>1002: the authtoken is unknown (revoked and expired stored tokens have 1005 and 1006).</summary>
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

    /// <summary>1005: the authtoken was revoked (at auth, or a live session closed for it).</summary>
    public static readonly ErrorCode AuthtokenRevoked = new(
        1005, nameof(AuthtokenRevoked), 401,
        "The authtoken was revoked.",
        "Ask the edge operator for a new authtoken and give it to the agent with --authtoken.");

    /// <summary>1006: the authtoken has expired. Args: when (UTC, ISO 8601).</summary>
    public static readonly ErrorCode AuthtokenExpired = new(
        1006, nameof(AuthtokenExpired), 401,
        "The authtoken expired at {0}.",
        "Ask the edge operator for a new authtoken, or one with a later expiry.");

    /// <summary>1007: the token holds as many sessions as its quota allows. Args: the limit.</summary>
    public static readonly ErrorCode SessionQuotaReached = new(
        1007, nameof(SessionQuotaReached), 429,
        "This authtoken may hold {0} sessions at once, and all are in use.",
        "Stop another agent that uses this token (a disconnected one holds its session for the resume grace period), or ask the edge operator for a higher quota or another token.");

    /// <summary>1008: the edge's host name does not resolve. Args: host, resolver's reason.</summary>
    public static readonly ErrorCode EdgeHostNotFound = new(
        1008, nameof(EdgeHostNotFound), null,
        "The edge's host name '{0}' does not resolve: {1}.",
        "Check the --server address (host:port) for a typo and that DNS has a record for the host; names under .localhost need none. Add --retry forever to keep trying anyway.");

    /// <summary>1009: the edge's certificate is not trusted. Args: edge address, why.</summary>
    public static readonly ErrorCode EdgeCertificateUntrusted = new(
        1009, nameof(EdgeCertificateUntrusted), null,
        "The edge at {0} presented a certificate this agent does not trust: {1}.",
        "If the edge uses its own local CA, give the agent that CA with --edge-ca PATH (the edge prints the path when it starts); if the name does not match, connect with the name on the certificate or set --server-name. Add --retry forever to keep trying anyway.");

    /// <summary>1010: an embedded tunnel (the .NET SDK) did not come online in time. Args: edge address, time allowed, what was last heard.</summary>
    public static readonly ErrorCode TunnelNotOnline = new(
        1010, nameof(TunnelNotOnline), null,
        "The tunnel through the edge at {0} did not come online within {1}: {2}.",
        "Check that the edge runs and that this machine reaches its agent port (the server address), or allow longer with StartTimeout.");

    // :: 2xxx binding tunnels

    /// <summary>2001: another tunnel serves the hostname. Args: hostname.</summary>
    public static readonly ErrorCode HostnameTaken = new(
        2001, nameof(HostnameTaken), 409,
        "Hostname '{0}' is already served by another tunnel.",
        "Stop the other tunnel that uses it, choose another name, or reserve the hostname for your account; to share it among agents of one account, start every one of them with --pooling-enabled.");

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

    /// <summary>2009: <c>--upstream-proxy-protocol</c> is not 1 or 2. Args: the value given.</summary>
    public static readonly ErrorCode InvalidProxyProtocolVersion = new(
        2009, nameof(InvalidProxyProtocolVersion), null,
        "--upstream-proxy-protocol '{0}' is not a PROXY protocol version; expected 1 or 2.",
        "Use 1 for the text header or 2 for the binary one, whichever the upstream is configured to parse (nginx: listen ... proxy_protocol reads both).");

    /// <summary>2010: TLS termination options that do not go together. Args: what is wrong.</summary>
    public static readonly ErrorCode InvalidTlsTermination = new(
        2010, nameof(InvalidTlsTermination), null,
        "Invalid TLS termination options: {0}.",
        "Use --terminate-at agent with both --crt and --key, or --terminate-at edge without them (either optionally with --mutual-tls-cas); leave all of them out to pass TLS through to the upstream.");

    /// <summary>2011: the certificate or key for agent TLS termination cannot be used. Args: path(s), reason.</summary>
    public static readonly ErrorCode TlsCertificateUnusable = new(
        2011, nameof(TlsCertificateUnusable), null,
        "Cannot use the certificate {0}: {1}.",
        "Give a PEM certificate (the leaf first, then its chain) with --crt and its PEM private key (unencrypted PKCS#8, PKCS#1 or SEC1) with --key, readable by the agent.");

    /// <summary>2012: the CA file for mutual TLS cannot be used. Args: path, reason.</summary>
    public static readonly ErrorCode MutualTlsCasUnusable = new(
        2012, nameof(MutualTlsCasUnusable), null,
        "Cannot use the mutual TLS CA file {0}: {1}.",
        "Give --mutual-tls-cas a readable PEM file holding one or more CA certificates that signed the client certificates to accept.");
    /// <summary>2015: the hostname is outside the token's scope. Args: hostname, the patterns allowed.</summary>
    public static readonly ErrorCode HostnameOutOfScope = new(
        2015, nameof(HostnameOutOfScope), 403,
        "This authtoken may not bind '{0}'; its scope allows {1}.",
        "Ask for a hostname the token's scope allows (with --subdomain or --url), or ask the edge operator to widen the scope.");

    /// <summary>2016: the hostname is reserved for another account. Args: hostname.</summary>
    public static readonly ErrorCode HostnameReserved = new(
        2016, nameof(HostnameReserved), 403,
        "Hostname '{0}' is reserved for another account.",
        "Choose another name, or use an authtoken of the account that reserved it.");

    /// <summary>2017: the token may not open tunnels of this protocol. Args: proto.</summary>
    public static readonly ErrorCode TunnelProtoNotAllowed = new(
        2017, nameof(TunnelProtoNotAllowed), 403,
        "This authtoken may not open {0} tunnels.",
        "Use an http tunnel, or ask the edge operator for a token whose scope allows tcp or tls tunnels.");

    /// <summary>2018: the token holds as many tunnels as its quota allows. Args: the limit.</summary>
    public static readonly ErrorCode TunnelQuotaReached = new(
        2018, nameof(TunnelQuotaReached), 429,
        "This authtoken may hold {0} tunnels at once, and has them.",
        "Stop a tunnel of this token (in any of its agents) first, or ask the edge operator for a higher quota.");

    /// <summary>2019: the TCP port is reserved for another account. Args: port.</summary>
    public static readonly ErrorCode TcpPortReserved = new(
        2019, nameof(TcpPortReserved), 403,
        "TCP port {0} is reserved for another account.",
        "Leave the port out to get a free one, or use an authtoken of the account that reserved it.");

    /// <summary>2020: a bind asks for an endpoint option this edge does not serve (an ngrok client's OAuth, say). Args: what, the option's name.</summary>
    public static readonly ErrorCode OptionNotServed = new(
        2020, nameof(OptionNotServed), 400,
        "This edge does not serve {0} (the bind's {1}).",
        "Leave the option out, or put that function in front of the upstream; docs/from-ngrok.md lists what a Burrow edge serves to ngrok's clients.");

    /// <summary>2022: the URL is served, and pooling is on for one side only. Args: hostname or address, which side lacks pooling.</summary>
    public static readonly ErrorCode PoolingNotEnabled = new(
        2022, nameof(PoolingNotEnabled), 409,
        "'{0}' is already served by another agent, and {1}.",
        "Agents share a URL only when every one of them binds it with --pooling-enabled (pooling_enabled: true in the config file, PoolingEnabled in an ngrok SDK); add it on every agent, or stop the other one.");

    /// <summary>2021: a tunnel's traffic policy document is invalid. Args: where (line, column, key path), what is wrong.</summary>
    public static readonly ErrorCode TrafficPolicyInvalid = new(
        2021, nameof(TrafficPolicyInvalid), 400,
        "The traffic policy is invalid at {0}: {1}.",
        "Fix the document at the place named (docs/traffic-policy.md lists the phases, actions, their config keys and the expression variables); the tunnel was not started.");

    /// <summary>2013: an idle timeout for tcp/tls connections is not a positive duration within bounds. Args: value, reason.</summary>
    public static readonly ErrorCode InvalidIdleTimeout = new(
        2013, nameof(InvalidIdleTimeout), 400,
        "Invalid idle timeout '{0}': {1}.",
        "Give a positive duration such as 30s, 5m or 2h (agent: --idle-timeout; edge: --tcp-idle-timeout, where 0 or off disables it); the edge's value caps the agent's.");

    /// <summary>2014: a connection limit for tcp/tls tunnels is not a positive whole number within bounds. Args: value, reason.</summary>
    public static readonly ErrorCode InvalidMaxConnections = new(
        2014, nameof(InvalidMaxConnections), 400,
        "Invalid connection limit '{0}': {1}.",
        "Give a whole number from 1 to 1000000 (agent: --max-connections; edge: --tcp-max-connections); the edge's value caps the agent's.");

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

    /// <summary>3008: the public client's TLS handshake with the agent failed (agent-side termination). Args: client address, reason.</summary>
    public static readonly ErrorCode ClientTlsHandshakeFailed = new(
        3008, nameof(ClientTlsHandshakeFailed), null,
        "TLS handshake with {0} failed: {1}.",
        "Check that the client connects with TLS to the tunnel's name and trusts the certificate given with --crt; a client that stops mid-handshake needs no fix.");

    /// <summary>
    /// 3009: the public client sent no certificate, or one the mutual TLS CAs did not sign. Args: client address, reason.
    /// HTTP tunnels answer it as a 403 page; tls tunnels (terminated at the agent or the edge) fail the handshake.
    /// </summary>
    public static readonly ErrorCode ClientCertificateRefused = new(
        3009, nameof(ClientCertificateRefused), 403,
        "Refused the client certificate of {0}: {1}.",
        "The client must present a valid certificate issued by one of the CAs given with --mutual-tls-cas (curl --cert/--key, openssl s_client -cert/-key).");

    /// <summary>3010: a tcp/tls tunnel connection carried no byte either way for the idle timeout and was closed by the edge. Args: client address, timeout.</summary>
    public static readonly ErrorCode IdleConnectionClosed = new(
        3010, nameof(IdleConnectionClosed), null,
        "Closed the connection of {0}: no bytes either way for {1}.",
        "Send keepalives more often than the timeout (e.g. ssh ServerAliveInterval, TCP keepalive is not enough: it carries no payload), or raise --idle-timeout on the agent / --tcp-idle-timeout on the edge.");

    /// <summary>3011: a tcp/tls tunnel already holds its maximum of connections; a new one was closed at once. Args: client address, limit.</summary>
    public static readonly ErrorCode TooManyConnections = new(
        3011, nameof(TooManyConnections), null,
        "Refused the connection of {0}: the tunnel already holds its limit of {1} connections.",
        "Close idle connections (or use a connection pool with fewer connections), or raise --max-connections on the agent / --tcp-max-connections on the edge.");
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

    /// <summary>
    /// 3015: a request for a tunnel with mutual TLS came on a TLS connection set up for another name (HTTP/2 connection
    /// reuse), whose handshake never checked a client certificate for this one. Args: the handshake's name, the request's host.
    /// </summary>
    public static readonly ErrorCode MisdirectedRequest = new(
        3015, nameof(MisdirectedRequest), 421,
        "This connection was set up for {0}; {1} needs a client certificate checked on a connection of its own.",
        "Nothing to fix for browsers and HTTP clients, which retry a 421 on a new connection; a client that does not should open a new TLS connection to the name it requests.");

    // :: 31xx traffic policy; 3120-3139 the identity actions (jwt-validation, oidc)

    /// <summary>3120: a jwt-validation policy found no token in the request. Args: where it looked.</summary>
    public static readonly ErrorCode JwtMissing = new(
        3120, nameof(JwtMissing), 401,
        "This endpoint needs a JWT and the request carried none ({0}).",
        "Send the token where the endpoint's jwt-validation policy looks for it, usually 'Authorization: Bearer <token>'.");

    /// <summary>3121: a jwt-validation policy refused the request's token. Args: the reason.</summary>
    public static readonly ErrorCode JwtInvalid = new(
        3121, nameof(JwtInvalid), 401,
        "The JWT was refused: {0}.",
        "Get a fresh token from the issuer the endpoint trusts, for the audience it expects, signed with an allowed algorithm.");

    /// <summary>3122: an oidc policy needs a sign-in and the request cannot be redirected to the identity provider (not a page navigation).</summary>
    public static readonly ErrorCode OidcLoginRequired = new(
        3122, nameof(OidcLoginRequired), 401,
        "Sign-in is required; open this URL in a browser to sign in with the identity provider.",
        "Sign in by opening a page of the endpoint in a browser; scripts and API calls then send the session cookie it sets.");

    /// <summary>3123: the identity provider's answer to a sign-in was refused or was an error. Args: the reason.</summary>
    public static readonly ErrorCode OidcSignInFailed = new(
        3123, nameof(OidcSignInFailed), 403,
        "Sign-in failed: {0}.",
        "Open the page again to start a new sign-in; if it keeps failing, the endpoint's oidc settings (client id, secret, redirect URI registered at the provider) need checking.");

    /// <summary>3124: the identity provider (discovery, keys or token endpoint) could not be reached. Args: the URL, the reason.</summary>
    public static readonly ErrorCode IdentityProviderUnavailable = new(
        3124, nameof(IdentityProviderUnavailable), 502,
        "The identity provider at {0} could not be used: {1}.",
        "Try again shortly; if it persists the endpoint's operator should check that the edge can reach the issuer URL.");

    /// <summary>3101: a deny action of the tunnel's traffic policy refused the request. Args: rule.</summary>
    public static readonly ErrorCode PolicyDenied = new(
        3101, nameof(PolicyDenied), 403,
        "The request was denied by the tunnel's traffic policy (rule {0}).",
        "The tunnel's owner refuses such requests on purpose; ask them if you think this request should pass.");

    /// <summary>3102: a rate-limit action refused the request. Args: capacity, window.</summary>
    public static readonly ErrorCode RateLimited = new(
        3102, nameof(RateLimited), 429,
        "Too many requests: the limit is {0} per {1}.",
        "Wait for the time in the Retry-After header, then send again; ask the tunnel's owner for a higher limit if you need one.");

    /// <summary>3103: a verify-webhook action found no valid signature. Args: provider, reason.</summary>
    public static readonly ErrorCode WebhookVerificationFailed = new(
        3103, nameof(WebhookVerificationFailed), 403,
        "The {0} webhook signature did not verify: {1}.",
        "Check that the tunnel's verify-webhook secret is the one the provider shows for this endpoint, and that nothing between the provider and the edge changes the body.");

    /// <summary>3104: a body that a policy action must read whole is over its limit. Args: action, limit in bytes.</summary>
    public static readonly ErrorCode PolicyBodyTooLarge = new(
        3104, nameof(PolicyBodyTooLarge), 413,
        "The request body is too large for {0}: it reads at most {1} bytes.",
        "Send a smaller body, or raise the action's max_body_size in the traffic policy.");

    /// <summary>3106: an expression of the traffic policy failed while a request was evaluated. Args: rule, reason.</summary>
    public static readonly ErrorCode PolicyEvaluationFailed = new(
        3106, nameof(PolicyEvaluationFailed), 500,
        "The tunnel's traffic policy failed in rule {0}: {1}.",
        "The request is refused rather than let past a rule that could not decide; guard the expression (for example 'x' in req.headers before req.headers['x']).");

    /// <summary>3107: a close-connection or deny action of on_tcp_connect closed a connection. Args: rule.</summary>
    public static readonly ErrorCode ConnectionClosedByPolicy = new(
        3107, nameof(ConnectionClosedByPolicy), null,
        "The connection was closed by the tunnel's traffic policy (rule {0}).",
        "The tunnel's owner closes such connections on purpose; ask them if yours should pass.");

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

    /// <summary>5003: the control store (the edge's database) cannot be used. Args: what failed.</summary>
    public static readonly ErrorCode StoreUnavailable = new(
        5003, nameof(StoreUnavailable), 503,
        "The edge's control store is unavailable: {0}.",
        "Agents retry by themselves. The edge operator checks the database given with --database (reachable, not full, permissions).");

    /// <summary>5004: the store's schema could not be brought up to date. Args: why.</summary>
    public static readonly ErrorCode StoreMigrationFailed = new(
        5004, nameof(StoreMigrationFailed), null,
        "The control store's schema could not be updated: {0}.",
        "Read the reason: a database newer than this burrow needs a newer burrow; a failed migration was rolled back, so fix its cause and start again.");

    /// <summary>5005: the --database value is not a database address. Args: why.</summary>
    public static readonly ErrorCode DatabaseAddressInvalid = new(
        5005, nameof(DatabaseAddressInvalid), null,
        "Invalid --database value: {0}.",
        "Give an SQLite file path, a postgres://user:password@host:port/database URL, or a key=value PostgreSQL connection string with a Host.");

    // :: 8xxx the admin API and the admin CLI

    /// <summary>8001: the admin API was called without a valid API key. Args: what was wrong.</summary>
    public static readonly ErrorCode AdminUnauthorized = new(
        8001, nameof(AdminUnauthorized), 401,
        "A valid API key is required: {0}.",
        "Send the key as 'Authorization: Bearer brwk_...'; burrow admin takes --api-key or BURROW_API_KEY. The edge prints its first key on first start and keeps it in admin-api-key in its data directory.");

    /// <summary>8002: the admin API has no such object. Args: kind, id.</summary>
    public static readonly ErrorCode AdminNotFound = new(
        8002, nameof(AdminNotFound), 404,
        "No {0} '{1}' exists.",
        "Check the id (list the objects to see them); it may have been deleted, released, or the session may have ended.");

    /// <summary>8003: the change conflicts with an existing object. Args: what conflicts.</summary>
    public static readonly ErrorCode AdminConflict = new(
        8003, nameof(AdminConflict), 409,
        "Conflict: {0}.",
        "Choose another name, hostname or port, or release the existing one first.");

    /// <summary>8004: the admin request is malformed or a value is not acceptable. Args: what was wrong.</summary>
    public static readonly ErrorCode AdminBadRequest = new(
        8004, nameof(AdminBadRequest), 400,
        "Invalid request: {0}.",
        "Correct the field named in the message; the OpenAPI document at /api/v1/openapi.json describes every request.");

    /// <summary>8005: burrow admin cannot reach the admin API. Args: URL, reason.</summary>
    public static readonly ErrorCode AdminUnreachable = new(
        8005, nameof(AdminUnreachable), null,
        "Cannot reach the admin API at {0}: {1}.",
        "Check that the edge runs with its admin listener on (burrow server --admin-addr) and give its address with --admin-url or BURROW_ADMIN_URL.");

    /// <summary>8006: burrow admin has no API key to send. Args: the key file it looked for.</summary>
    public static readonly ErrorCode AdminApiKeyMissing = new(
        8006, nameof(AdminApiKeyMissing), null,
        "No API key was given and {0} does not exist.",
        "Give --api-key or set BURROW_API_KEY; on the edge's own machine, point --data-dir at the edge's data directory.");

    /// <summary>8007: the edge's operator closed the agent's session through the admin API. Args: session id.</summary>
    public static readonly ErrorCode SessionClosedByAdmin = new(
        8007, nameof(SessionClosedByAdmin), null,
        "The edge operator closed session '{0}'.",
        "Nothing to fix if it was intended: the agent reconnects with a new session. Ask the operator to revoke the token to keep an agent out.");
    // :: 7xxx the agent's config file and command line

    /// <summary>7001: a config file named with --config or BURROW_CONFIG does not exist. Args: path.</summary>
    public static readonly ErrorCode ConfigFileNotFound = new(
        7001, nameof(ConfigFileNotFound), null,
        "Config file {0} does not exist.",
        "Check the path given with --config or BURROW_CONFIG; `burrow config add-authtoken TOKEN` creates the default file.");

    /// <summary>7002: a config file is not valid YAML. Args: file:line:column, what the YAML parser said.</summary>
    public static readonly ErrorCode ConfigSyntaxError = new(
        7002, nameof(ConfigSyntaxError), null,
        "{0}: not valid YAML: {1}.",
        "Fix the YAML at that line: indent with spaces (never tabs), put a space after each colon, and quote values that contain ': ' or start with a special character.");

    /// <summary>7003: a key the config format does not have. Args: file:line:column, key, where it was found.</summary>
    public static readonly ErrorCode ConfigUnknownKey = new(
        7003, nameof(ConfigUnknownKey), null,
        "{0}: unknown key '{1}' in {2}.",
        "Check the key's spelling and its indentation against docs/quickstart.md; in a version 3 file the agent settings go under agent:.");

    /// <summary>7004: a config value has the wrong type or a bad value. Args: file:line:column, key, reason.</summary>
    public static readonly ErrorCode ConfigInvalidValue = new(
        7004, nameof(ConfigInvalidValue), null,
        "{0}: invalid value for '{1}': {2}.",
        "Correct the value named in the message; docs/quickstart.md lists each setting with the values it takes.");

    /// <summary>7005: the config file's version is not 2 or 3. Args: file:line:column, version.</summary>
    public static readonly ErrorCode ConfigVersionUnsupported = new(
        7005, nameof(ConfigVersionUnsupported), null,
        "{0}: config version {1} is not supported; use version 3 (version 2 files are read too).",
        "Set version: 3 and put the agent settings under agent: and the tunnels under endpoints:.");

    /// <summary>7006: a required key is missing. Args: file:line:column, key, where it is required.</summary>
    public static readonly ErrorCode ConfigMissingKey = new(
        7006, nameof(ConfigMissingKey), null,
        "{0}: '{1}' is required in {2}.",
        "Add the key named in the message: every endpoint needs a name and an upstream url, every tunnel an addr.");

    /// <summary>7007: two endpoints or tunnels of one file share a name. Args: file:line:column, name, where the first one is.</summary>
    public static readonly ErrorCode ConfigDuplicateName = new(
        7007, nameof(ConfigDuplicateName), null,
        "{0}: the name '{1}' is already used at {2}.",
        "Give every endpoint and tunnel of a file its own name; to override an entry of an earlier file, repeat its name in a later file given with --config.");

    /// <summary>7008: an ngrok setting Burrow does not implement. Args: file:line:column, key, what to do instead.</summary>
    public static readonly ErrorCode ConfigUnsupportedSetting = new(
        7008, nameof(ConfigUnsupportedSetting), null,
        "{0}: '{1}' is not supported by Burrow: {2}.",
        "Remove the setting; Burrow refuses it rather than run without a protection or behaviour the file asks for.");

    /// <summary>7009: <c>burrow start</c> names an endpoint the config does not have. Args: name, the config files.</summary>
    public static readonly ErrorCode UnknownEndpoint = new(
        7009, nameof(UnknownEndpoint), null,
        "No endpoint or tunnel named '{0}' in {1}.",
        "Check the name against `burrow config check`, which lists every endpoint and tunnel of the config.");

    /// <summary>7010: <c>burrow start</c> was given nothing to start. Args: what was missing.</summary>
    public static readonly ErrorCode NothingToStart = new(
        7010, nameof(NothingToStart), null,
        "Nothing to start: {0}.",
        "Name the endpoints to start (burrow start web api), or use --all for every one, or --none for the agent alone.");

    /// <summary>7011: a config file exists but cannot be read. Args: path, reason.</summary>
    public static readonly ErrorCode ConfigFileUnreadable = new(
        7011, nameof(ConfigFileUnreadable), null,
        "Config file {0} could not be read: {1}.",
        "Check the file's permissions and that it is a file, not a directory.");

    /// <summary>7012: a config file cannot be written. Args: path, reason.</summary>
    public static readonly ErrorCode ConfigFileNotWritable = new(
        7012, nameof(ConfigFileNotWritable), null,
        "Config file {0} could not be written: {1}.",
        "Check the permissions of the file and its directory, or give another file with --config; commands that write take exactly one file.");

    /// <summary>7013: <c>burrow config edit</c> could not run the editor. Args: editor, what happened.</summary>
    public static readonly ErrorCode EditorFailed = new(
        7013, nameof(EditorFailed), null,
        "The editor '{0}' {1}.",
        "Set VISUAL or EDITOR to an editor that waits until the file is closed (e.g. EDITOR=nano, or code --wait).");

    /// <summary>7020: two command-line options that cannot be given together. Args: one option, the other, why.</summary>
    public static readonly ErrorCode ConflictingOptions = new(
        7020, nameof(ConflictingOptions), null,
        "{0} and {1} cannot be given together: {2}.",
        "Keep one of the two options the message names and drop the other.");

    /// <summary>7021: <c>burrow trust</c> found no local CA to trust. Args: path.</summary>
    public static readonly ErrorCode LocalCaNotFound = new(
        7021, nameof(LocalCaNotFound), null,
        "There is no local CA at {0}.",
        "Start the agent once without --server (burrow http 8080) or the edge (burrow server) so that it creates its CA, or name the CA with --ca FILE or the edge's --data-dir.");

    /// <summary>7022: <c>burrow trust</c> could not update every trust store. Args: the CA's path, the stores left.</summary>
    public static readonly ErrorCode TrustIncomplete = new(
        7022, nameof(TrustIncomplete), null,
        "The local CA {0} was not installed in (or removed from) every trust store; left: {1}.",
        "Run the commands burrow trust printed for the stores it could not update (burrow trust --print lists every step), or limit it with --stores.");

    /// <summary>7030: <c>burrow service</c> runs on Linux with systemd only. Args: the system, why.</summary>
    public static readonly ErrorCode ServiceUnsupported = new(
        7030, nameof(ServiceUnsupported), null,
        "burrow service installs a systemd user unit, and {0} {1}.",
        "Run 'burrow start --all' under this system's own service manager (launchd on macOS, Task Scheduler or a service wrapper on Windows; docs/deploy.md); 'burrow service install --dry-run' prints the unit to adapt.");

    /// <summary>7031: the unit was written but systemctl --user could not load or start it. Args: the unit file, the systemctl command, what it said.</summary>
    public static readonly ErrorCode ServiceNotStarted = new(
        7031, nameof(ServiceNotStarted), null,
        "The unit {0} is written, but '{1}' did not succeed: {2}.",
        "Run the printed systemctl --user commands in a login session of this user (a desktop or ssh login; su and sudo give none, and containers usually have no user manager), or run 'burrow start --all' another way (docs/deploy.md).");

    /// <summary>7032: the unit file could not be written or removed. Args: the unit file, the reason.</summary>
    public static readonly ErrorCode ServiceUnitNotWritable = new(
        7032, nameof(ServiceUnitNotWritable), null,
        "The unit file {0} could not be written or removed: {1}.",
        "Check the owner and permissions of ~/.config/systemd/user (or $XDG_CONFIG_HOME/systemd/user); 'burrow service install --dry-run' prints the unit to write yourself.");

    /// <summary>7033: a unit file of that name exists and burrow did not write it. Args: the unit file.</summary>
    public static readonly ErrorCode ServiceUnitNotOurs = new(
        7033, nameof(ServiceUnitNotOurs), null,
        "{0} exists and was not written by burrow service install, so it is left as it is.",
        "Move or delete that file yourself, or give the agent's unit another name with --name.");
    // :: 6xxx the agent's web interface (inspector and agent API)

    /// <summary>6001: the agent's web interface refused a foreign Host header.</summary>
    public static readonly ErrorCode WebHostRefused = new(
        6001, nameof(WebHostRefused), 403,
        "Host '{0}' is not allowed to use the agent's web interface.",
        "Open the inspector as http://127.0.0.1:PORT or http://localhost:PORT; other names are refused to stop DNS-rebinding attacks.");

    /// <summary>6002: an agent API resource does not exist.</summary>
    public static readonly ErrorCode ApiNotFound = new(
        6002, nameof(ApiNotFound), 404,
        "{0} was not found.",
        "Check the name or id: GET /api/tunnels and GET /api/requests/http list what exists; captured requests are evicted when the inspector's budget is full.");

    /// <summary>6003: an agent API request has a bad body or parameter.</summary>
    public static readonly ErrorCode ApiBadRequest = new(
        6003, nameof(ApiBadRequest), 400,
        "Bad request: {0}.",
        "Send a JSON body with the fields the agent API documents (docs/quickstart.md).");

    /// <summary>6004: a request whose body was cut cannot be replayed as it was.</summary>
    public static readonly ErrorCode ReplayBodyTruncated = new(
        6004, nameof(ReplayBodyTruncated), 409,
        "Request {0} cannot be replayed as it was: its body was larger than the capture limit and was cut.",
        "Replay it edited with a full body, or raise the per-request body limit (--inspect-body-limit).");

    /// <summary>6005: a replayed request got no answer from the local service.</summary>
    public static readonly ErrorCode ReplayFailed = new(
        6005, nameof(ReplayFailed), 502,
        "The replay of request {0} failed: {1}.",
        "Check that the local service is running; the error names the cause.");

    /// <summary>6006: a tunnel cannot be started or stopped while the agent is offline.</summary>
    public static readonly ErrorCode AgentOffline = new(
        6006, nameof(AgentOffline), 503,
        "The agent has no live session with the edge.",
        "Wait until the agent is online again (GET /api/status), then retry.");

    /// <summary>6007: the edge refused to bind a tunnel started through the agent API.</summary>
    public static readonly ErrorCode TunnelStartFailed = new(
        6007, nameof(TunnelStartFailed), 502,
        "Tunnel '{0}' could not be started: {1}.",
        "The details name the edge's error code; fix what it says and retry.");

    /// <summary>6008: a tunnel started through the agent API reuses a running tunnel's name.</summary>
    public static readonly ErrorCode TunnelNameTaken = new(
        6008, nameof(TunnelNameTaken), 409,
        "A tunnel named '{0}' is already running in this agent.",
        "Choose another name, or DELETE /api/tunnels/NAME first.");

    /// <summary>6009: the inspector and agent API could not listen.</summary>
    public static readonly ErrorCode WebAddressUnavailable = new(
        6009, nameof(WebAddressUnavailable), null,
        "The web interface could not listen on {0}: {1}.",
        "Choose a free address with --web-addr host:port, or turn the web interface off with --web-addr false.");
    /// <summary>5010: too many failed authentications from one address. Args: the address, seconds until it may try again.</summary>
    public static readonly ErrorCode TooManyAuthFailures = new(
        5010, nameof(TooManyAuthFailures), null,
        "Too many failed authentications from {0}; try again in {1} s.",
        "Check the agent's authtoken (a wrong token fails every time); the edge counts failures per address and lifts the block by itself. The edge operator sets the rate with --auth-failures-per-minute.");

    /// <summary>5011: a listener of the edge cannot bind its address. Args: what listens, address, the flag that moves it, reason.</summary>
    public static readonly ErrorCode ListenAddressUnavailable = new(
        5011, nameof(ListenAddressUnavailable), null,
        "The edge's {0} cannot listen on {1} ({2}): {3}. Stop the program that holds it, or move the listener with {2} host:port.",
        "Another program (or another burrow server) holds that address: stop it, or give the listener another address with the flag the message names; every listener but the agents' also takes 'off'.");

    // :: 52xx certificates over ACME (RFC 8555)

    /// <summary>5201: the ACME server answered with a problem document. Args: the problem type, its detail, the request.</summary>
    public static readonly ErrorCode AcmeProblem = new(
        5201, nameof(AcmeProblem), null,
        "The ACME server refused {2}: {0}: {1}.",
        "The problem type and detail are the certificate authority's own words (RFC 8555 section 6.7); fix what they name, for example a hostname the CA will not issue for, and the edge asks again.");

    /// <summary>5202: the ACME server's rate limit was reached. Args: the detail, the retry time or 'unknown'.</summary>
    public static readonly ErrorCode AcmeRateLimited = new(
        5202, nameof(AcmeRateLimited), null,
        "The ACME server's rate limit was reached: {0}; retry after {1}.",
        "Wait until the time given; the edge does not retry before it. Issue fewer certificates for the same names, or use a wildcard certificate for the tunnel domain.");

    /// <summary>5203: an authorization failed validation. Args: the identifier, the challenge type, the problem detail.</summary>
    public static readonly ErrorCode AcmeChallengeFailed = new(
        5203, nameof(AcmeChallengeFailed), null,
        "The ACME server could not validate {0} with {1}: {2}.",
        "For http-01 the name must reach this edge on port 80, for tls-alpn-01 on port 443, and for dns-01 the zone must be delegated to the edge's DNS server (--dns-addr), or the zone's own server given with --acme-dns-update must be one the CA asks; check DNS records and firewalls.");

    /// <summary>5204: the ACME server could not be used (unreachable, or an answer that is not ACME). Args: the URL, the reason.</summary>
    public static readonly ErrorCode AcmeUnreachable = new(
        5204, nameof(AcmeUnreachable), null,
        "The ACME server at {0} could not be used: {1}.",
        "Check the ACME directory URL and that the edge can reach it; the CA's status page says whether it is down.");

    /// <summary>5205: an order or authorization did not settle in time. Args: what was waited for, the URL, the time waited.</summary>
    public static readonly ErrorCode AcmeTimedOut = new(
        5205, nameof(AcmeTimedOut), null,
        "The ACME {0} at {1} was still pending after {2}.",
        "The CA is slow or the challenge is not being checked; the edge gives up and asks again later. If it keeps happening, check the CA's status page.");

    /// <summary>5206: the edge's ACME settings cannot work. Args: what is wrong, what to do.</summary>
    public static readonly ErrorCode AcmeSettingsInvalid = new(
        5206, nameof(AcmeSettingsInvalid), null,
        "The edge cannot get certificates over ACME: {0}. {1}.",
        "ACME certificates (--acme-email) need a public base domain (--domain) delegated to the edge by an NS record, the edge's DNS server (--dns-addr) reachable on port 53, and no --tls-cert; see docs/acme.md.");

    /// <summary>5207: a DNS server refused an RFC 2136 update. Args: the server, the record name, the RCODE, the TSIG error.</summary>
    public static readonly ErrorCode DnsUpdateRefused = new(
        5207, nameof(DnsUpdateRefused), null,
        "The DNS server {0} refused the update of {1}: RCODE {2}, TSIG error {3}.",
        "NOTAUTH with BADSIG means the secret differs from the server's, BADKEY that the server has no key of that name and algorithm, BADTIME that the clocks differ by more than the fudge; REFUSED means the key is not allowed to update the zone (allow-update or update-policy), NOTZONE that the record is not in the zone given with --acme-dns-zone.");

    /// <summary>5208: a DNS server for RFC 2136 updates could not be used. Args: the server, the record name, the reason.</summary>
    public static readonly ErrorCode DnsUpdateUnreachable = new(
        5208, nameof(DnsUpdateUnreachable), null,
        "The DNS server {0} could not be used for {1}: {2}.",
        "Check the address and port given with --acme-dns-update, that the server listens there (UDP and TCP) and that no firewall drops the packets; the edge tries again later.");

    /// <summary>5209: the RFC 2136 update settings cannot work. Args: what is wrong, what to do.</summary>
    public static readonly ErrorCode DnsUpdateSettingsInvalid = new(
        5209, nameof(DnsUpdateSettingsInvalid), null,
        "The DNS update settings cannot work: {0}. {1}.",
        "--acme-dns-update takes HOST[:PORT] of the zone's primary server, --acme-dns-tsig NAME:ALGORITHM:SECRET (hmac-sha256, hmac-sha512, ...; base64 secret) or --acme-dns-tsig-file a file as tsig-keygen prints it; see docs/acme.md.");

    /// <summary>5210: a private key in the control store does not open with this edge's store key. Args: the store's reason.</summary>
    public static readonly ErrorCode StoredKeyUnusable = new(
        5210, nameof(StoredKeyUnusable), null,
        "A private key in the control store cannot be opened: {0}.",
        "Private keys (ACME account, certificates) are sealed with the store key in <data-dir>/store.key: every edge sharing a database needs the same file. Copy it from the edge that stored the key; see docs/acme.md for a lost key.");

    // :: 53xx the cluster (docs/cluster.md)

    /// <summary>5301: --node-name without a PostgreSQL control store. Args: the store in use.</summary>
    public static readonly ErrorCode ClusterNeedsPostgres = new(
        5301, nameof(ClusterNeedsPostgres), null,
        "--node-name needs a PostgreSQL control store shared by every node; this edge uses {0}.",
        "Give every node of the cluster the same --database postgres://user:password@host:port/db (and the same <data-dir>/store.key), or leave out --node-name for a single edge.");

    /// <summary>5302: another live process holds the node name. Args: the name, its last heartbeat, its link address.</summary>
    public static readonly ErrorCode NodeNameTaken = new(
        5302, nameof(NodeNameTaken), null,
        "The node name '{0}' is held by a live node (last heartbeat {1}, link address {2}).",
        "Give this node another --node-name, or stop the process that holds it; a node that died without stopping frees its name 10 s after its last heartbeat.");

    /// <summary>5303: the cluster flags cannot work. Args: what is wrong.</summary>
    public static readonly ErrorCode ClusterSettingsInvalid = new(
        5303, nameof(ClusterSettingsInvalid), null,
        "The cluster settings cannot work: {0}.",
        "--node-name takes 1 to 63 letters, digits and hyphens; --node-addr the host:port other nodes reach this one at; --cluster-ca, --cluster-cert and --cluster-key go together (PEM files); see docs/cluster.md.");

    /// <summary>5304: the cluster CA or the node certificate cannot be used. Args: the reason.</summary>
    public static readonly ErrorCode ClusterCaUnusable = new(
        5304, nameof(ClusterCaUnusable), null,
        "The cluster CA cannot be used: {0}.",
        "The CA kept in the store is sealed with <data-dir>/store.key: give every node the same file. Operator-supplied files must be PEM, the certificate signed by --cluster-ca and naming this node (DNS name = --node-name), the key its own.");

    /// <summary>5305: a node cannot be reached over the node link. Args: the node, the reason.</summary>
    public static readonly ErrorCode NodeUnreachable = new(
        5305, nameof(NodeUnreachable), null,
        "The node '{0}' cannot be reached over the node link: {1}.",
        "Check that the node is live (burrow admin nodes), that its --node-addr is reachable from this node (firewall, listen address) and that both nodes use the same cluster CA.");

    /// <summary>5306: the node's heartbeat cannot be written. Args: the reason.</summary>
    public static readonly ErrorCode NodeHeartbeatFailing = new(
        5306, nameof(NodeHeartbeatFailing), null,
        "This node cannot write its heartbeat: {0}.",
        "Check the database (reachable, not read-only). The node keeps serving what it holds; the other nodes count it as gone 10 s after its last heartbeat, and it rejoins by itself once the database answers.");

    /// <summary>5307: a connection to the node-link port was refused. Args: the remote address, the reason.</summary>
    public static readonly ErrorCode NodeLinkRefused = new(
        5307, nameof(NodeLinkRefused), null,
        "A node link from {0} was refused: {1}.",
        "Only nodes of this cluster may connect: a client certificate from the cluster CA naming a live node, ALPN burrow-node/1. Check the other node's --node-name, store.key, or its --cluster-ca, --cluster-cert and --cluster-key files.");

    /// <summary>5320: a node of a cluster cannot bind tunnels while it cannot reach the cluster's database. Args: why.</summary>
    public static readonly ErrorCode ClusterRoutesUnavailable = new(
        5320, nameof(ClusterRoutesUnavailable), 503,
        "This node cannot bind tunnels now: {0}.",
        "Agents retry by themselves and tunnels already bound keep serving. The operator restores the node's connection to the cluster's PostgreSQL (--database); binds resume once it is back (see /healthz, \"cluster_routes\").");

    /// <summary>5321: the node that serves a tunnel cannot be reached over the node link. Args: node, hostname, why.</summary>
    public static readonly ErrorCode RemoteNodeUnreachable = new(
        5321, nameof(RemoteNodeUnreachable), 502,
        "The node '{0}' that serves '{1}' cannot be reached: {2}.",
        "Retry in a few seconds: an agent with legs on other nodes is still served through them, and a node whose lease runs out is taken out of the routes. The operator checks the node links (--node-addr, firewall) and that node's logs.");

    /// <summary>Every code, in numeric order.</summary>
    public static IReadOnlyList<ErrorCode> All { get; } =
    [
        MissingAuthtoken, InvalidAuthtoken, ProtocolVersionUnsupported, ResumeExpired, AuthtokenRevoked, AuthtokenExpired, SessionQuotaReached, EdgeHostNotFound, EdgeCertificateUntrusted, TunnelNotOnline,
        HostnameTaken, HostnameNotAllowed, InvalidSubdomain, InvalidOptionValue, TcpPortUnavailable, UnknownProto, TooManyTunnels, InvalidHostname,
        InvalidProxyProtocolVersion, InvalidTlsTermination, TlsCertificateUnusable, MutualTlsCasUnusable, InvalidIdleTimeout, InvalidMaxConnections,
        HostnameOutOfScope, HostnameReserved, TunnelProtoNotAllowed, TunnelQuotaReached, TcpPortReserved, OptionNotServed, TrafficPolicyInvalid, PoolingNotEnabled,
        TunnelNotFound, UpstreamUnreachable, UpstreamTimeout, AgentSessionGone, BasicAuthRequired, IpDenied, UpstreamBadResponse,
        ClientTlsHandshakeFailed, ClientCertificateRefused, IdleConnectionClosed, TooManyConnections, RequestHeadersTooLarge, RequestBodyTooLarge,
        MisdirectedRequest,
        PolicyDenied, RateLimited, WebhookVerificationFailed, PolicyBodyTooLarge, PolicyEvaluationFailed, ConnectionClosedByPolicy,
        JwtMissing, JwtInvalid, OidcLoginRequired, OidcSignInFailed, IdentityProviderUnavailable,
        MalformedMessage, MessageTooLarge, UnexpectedMessage,
        EdgeDraining, InternalError, StoreUnavailable, StoreMigrationFailed, DatabaseAddressInvalid, TooManyAuthFailures, ListenAddressUnavailable,
        AcmeProblem, AcmeRateLimited, AcmeChallengeFailed, AcmeUnreachable, AcmeTimedOut, AcmeSettingsInvalid,
        DnsUpdateRefused, DnsUpdateUnreachable, DnsUpdateSettingsInvalid, StoredKeyUnusable,
        ClusterNeedsPostgres, NodeNameTaken, ClusterSettingsInvalid, ClusterCaUnusable, NodeUnreachable, NodeHeartbeatFailing, NodeLinkRefused,
        ClusterRoutesUnavailable, RemoteNodeUnreachable,
        WebHostRefused, ApiNotFound, ApiBadRequest, ReplayBodyTruncated, ReplayFailed,
        AgentOffline, TunnelStartFailed, TunnelNameTaken, WebAddressUnavailable,
        ConfigFileNotFound, ConfigSyntaxError, ConfigUnknownKey, ConfigInvalidValue, ConfigVersionUnsupported, ConfigMissingKey,
        ConfigDuplicateName, ConfigUnsupportedSetting, UnknownEndpoint, NothingToStart, ConfigFileUnreadable, ConfigFileNotWritable, EditorFailed,
        ConflictingOptions, LocalCaNotFound, TrustIncomplete,
        ServiceUnsupported, ServiceNotStarted, ServiceUnitNotWritable, ServiceUnitNotOurs,
        AdminUnauthorized, AdminNotFound, AdminConflict, AdminBadRequest, AdminUnreachable, AdminApiKeyMissing, SessionClosedByAdmin,
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

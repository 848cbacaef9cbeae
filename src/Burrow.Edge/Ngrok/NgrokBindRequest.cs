using System.Globalization;
using System.Text.Json;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;

namespace Burrow.Edge.Ngrok;

/// <summary>
/// An ngrok client's Bind (stream type 1), and the Burrow <see cref="BindMessage"/> it asks for. Every
/// option is either served by the edge as a Burrow agent's would be or refused with an error naming
/// it: an option the edge would silently drop (OAuth in front of an app, say) is worse than none.
/// </summary>
internal sealed record NgrokBindRequest
{
    /// <summary>Options of ngrok endpoints this edge does not serve; a bind that sets one is refused.</summary>
    private static readonly (string Field, string What)[] NotServed =
    [
        ("Compression", "response compression"),
        ("CircuitBreaker", "the circuit breaker"),
        ("OAuth", "OAuth"),
        ("OIDC", "OIDC"),
        ("WebhookVerification", "webhook verification"),
        ("MutualTLSCA", "mutual TLS at the edge"),
        ("MutualTLSAtEdge", "mutual TLS at the edge"),
        ("TLSTermination", "TLS termination at the edge for tls endpoints"),
        ("WebsocketTCPConverter", "the WebSocket-to-TCP converter"),
        ("UserAgentFilter", "the user agent filter"),
        ("MiddlewareBytes", "protobuf-encoded endpoint middleware"),
    ];

    /// <summary>The id the client gives back on a reconnect (the earlier answer's Id), or empty.</summary>
    public required string Id { get; init; }

    /// <summary><c>http</c>, <c>https</c>, <c>tcp</c> or <c>tls</c> as the client said it.</summary>
    public required string Proto { get; init; }

    /// <summary>The earlier answer's <c>Extra.Token</c> on a reconnect, or empty.</summary>
    public required string Token { get; init; }

    /// <summary>The request's <c>Opts</c>, echoed in the answer as the clients expect.</summary>
    public required JsonElement Opts { get; init; }

    /// <summary>What the bind asks of the edge, or why it cannot be served.</summary>
    public required BindMessage? Bind { get; init; }

    public required ProtocolError? Refusal { get; init; }

    /// <summary>1 or 2 when a tcp or tls endpoint asks for a PROXY protocol header in front of each connection's bytes, else 0.</summary>
    public int ProxyProtocolVersion { get; init; }

    public static NgrokBindRequest Parse(JsonElement root)
    {
        string proto = NgrokJson.String(root, "Proto");
        JsonElement opts = (NgrokJson.Find(root, "Opts") ?? default).Clone();
        JsonElement extra = NgrokJson.Find(root, "Extra") ?? default;
        (BindMessage? bind, ProtocolError? refusal) = ToBind(proto, NgrokJson.String(root, "ForwardsTo"), opts, extra);
        return new NgrokBindRequest
        {
            ProxyProtocolVersion = (int)NgrokJson.Int64(opts, "ProxyProto"),
            Id = NgrokJson.String(root, "Id"),
            Proto = proto,
            Token = NgrokJson.String(extra, "Token"),
            Opts = opts,
            Bind = bind,
            Refusal = refusal,
        };
    }

    private static (BindMessage?, ProtocolError?) ToBind(string proto, string forwardsTo, JsonElement opts, JsonElement extra)
    {
        string burrowProto = proto switch
        {
            "http" or "https" => TunnelProtocols.Http,
            "tcp" => TunnelProtocols.Tcp,
            "tls" => TunnelProtocols.Tls,
            _ => "",
        };
        if (burrowProto.Length == 0)
        {
            return (null, ErrorCodes.UnknownProto.WithMessage($"This edge serves http, https, tcp and tls endpoints; '{proto}' is not one of them."));
        }

        foreach ((string field, string what) in NotServed)
        {
            if (NgrokJson.IsSet(opts, field))
            {
                return (null, NotServedError(field, what));
            }
        }

        if (NgrokJson.IsSet(extra, "IPPolicyRef"))
        {
            return (null, NotServedError("IPPolicyRef", "IP policies by reference (give the CIDRs in the IP restriction instead)"));
        }

        switch (NgrokJson.Int64(opts, "ProxyProto"))
        {
            case 0:
                break;
            case 1 or 2 when burrowProto != TunnelProtocols.Http:
                // Written by the edge at the start of each proxy stream (NgrokAgentLink): the client passes it on.
                break;
            case 1 or 2:
                // An http endpoint's proxy streams are pooled connections that carry many clients' requests: one
                // header in front of each would name the wrong client for all but the first.
                return (null, NotServedError("ProxyProto", "PROXY protocol headers on http endpoints (tcp and tls endpoints have them)"));
            case var other:
                return (null, ErrorCodes.InvalidProxyProtocolVersion.ToError(other.ToString(CultureInfo.InvariantCulture)));
        }

        JsonElement ipRestriction = NgrokJson.Find(opts, "IPRestriction") ?? default;
        string hostname = NgrokJson.String(opts, "Domain") is { Length: > 0 } domain ? domain : NgrokJson.String(opts, "Hostname");
        var basicAuth = new List<string>();
        if (NgrokJson.String(opts, "Auth") is { Length: > 0 } auth)
        {
            basicAuth.Add(auth);
        }

        if (NgrokJson.Find(opts, "BasicAuth") is { } basic)
        {
            foreach (JsonElement credential in NgrokJson.Find(basic, "credentials", "Credentials") is { ValueKind: JsonValueKind.Array } list ? list.EnumerateArray() : default)
            {
                if (NgrokJson.String(credential, "hashed_password").Length > 0)
                {
                    return (null, NotServedError("BasicAuth.hashed_password", "hashed basic auth passwords (give the password in clear; the edge keeps only its hash)"));
                }

                basicAuth.Add($"{NgrokJson.String(credential, "username")}:{NgrokJson.String(credential, "cleartext_password")}");
            }
        }

        JsonElement requestHeaders = NgrokJson.Find(opts, "RequestHeaders") ?? default;
        JsonElement responseHeaders = NgrokJson.Find(opts, "ResponseHeaders") ?? default;
        var options = new EndpointOptions(inspect: false)
        {
            BasicAuth = basicAuth,
            CidrAllow = NgrokJson.Strings(ipRestriction, "allow_cidrs"),
            CidrDeny = NgrokJson.Strings(ipRestriction, "deny_cidrs"),
            RequestHeaderAdd = NgrokJson.Strings(requestHeaders, "add"),
            RequestHeaderRemove = NgrokJson.Strings(requestHeaders, "remove"),
            ResponseHeaderAdd = NgrokJson.Strings(responseHeaders, "add"),
            ResponseHeaderRemove = NgrokJson.Strings(responseHeaders, "remove"),
            // The SDKs' traffic_policy (YAML or JSON text), compiled by the edge like a Burrow agent's.
            TrafficPolicy = NgrokJson.String(opts, "TrafficPolicy") is { Length: > 0 } policy ? policy : null,
        };
        if (burrowProto == TunnelProtocols.Tcp && basicAuth.Count > 0)
        {
            return (null, ErrorCodes.InvalidOptionValue.ToError("Auth", "basic auth applies to http endpoints only"));
        }

        int? remotePort = null;
        if (burrowProto == TunnelProtocols.Tcp && NgrokJson.String(opts, "Addr") is { Length: > 0 } addr)
        {
            int colon = addr.LastIndexOf(':');
            if (colon < 0 || !int.TryParse(addr.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
            {
                return (null, ErrorCodes.InvalidOptionValue.ToError($"Addr \"{addr}\"", "expected host:port"));
            }

            remotePort = port;
        }

        return (new BindMessage
        {
            RequestId = "ngrok",
            Proto = burrowProto,
            Hostname = burrowProto == TunnelProtocols.Tcp || hostname.Length == 0 ? null : hostname,
            Subdomain = burrowProto == TunnelProtocols.Tcp || NgrokJson.String(opts, "Subdomain") is not { Length: > 0 } sub ? null : sub,
            RemotePort = remotePort,
            ForwardsTo = forwardsTo.Length > 0 ? forwardsTo : null,
            Pooling = NgrokJson.Bool(extra, "PoolingEnabled"),
            Options = options,
        }, null);
    }

    private static ProtocolError NotServedError(string field, string what) => ErrorCodes.OptionNotServed.ToError(what, field);
}

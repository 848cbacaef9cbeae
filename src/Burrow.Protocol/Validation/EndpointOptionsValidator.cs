using System.Diagnostics.CodeAnalysis;
using System.Net;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;

namespace Burrow.Protocol.Validation;

/// <summary>
/// Checks and parses the <see cref="EndpointOptions"/> of a bind. Pure: it looks at nothing but
/// its arguments, so the agent can run it on its flags before it connects and the edge again
/// when the bind arrives.
/// </summary>
public static class EndpointOptionsValidator
{
    /// <summary>
    /// Parses every option, stopping at the first bad value. HTTP-only options (basic auth,
    /// header rules, host_header, upstream_protocol, hsts) are refused on tcp and tls tunnels rather than
    /// silently ignored.
    /// </summary>
    /// <param name="options">The options from the bind.</param>
    /// <param name="proto">The tunnel protocol: <c>http</c>, <c>tcp</c> or <c>tls</c>.</param>
    /// <param name="validated">The parsed options, when all are valid.</param>
    /// <param name="error">An error naming the first bad value, when not: <c>ERR_BURROW_2004</c>, or 2013/2014 for the idle timeout and connection limit, 2012 for unusable mutual TLS CAs, 2010 for mutual TLS on a tls tunnel the edge does not terminate.</param>
    /// <returns>Whether every option is valid.</returns>
    public static bool TryValidate(
        EndpointOptions options,
        string proto,
        [NotNullWhen(true)] out ValidatedEndpointOptions? validated,
        [NotNullWhen(false)] out ProtocolError? error)
    {
        ArgumentNullException.ThrowIfNull(options);
        validated = null;
        if (proto != TunnelProtocols.Http && (error = RefuseHttpOnly(options, proto)) is not null)
        {
            return false;
        }

        var basicAuth = new List<BasicAuthCredential>(options.BasicAuth.Count);
        for (int i = 0; i < options.BasicAuth.Count; i++)
        {
            if (!BasicAuthCredential.TryParse(options.BasicAuth[i], out var credential, out error, ErrorText.Element("basic_auth", i)))
            {
                return false;
            }

            basicAuth.Add(credential);
        }

        if (!TryParseCidrs(options.CidrAllow, "cidr_allow", out var allow, out error)
            || !TryParseCidrs(options.CidrDeny, "cidr_deny", out var deny, out error)
            || !TryParseAdditions(options.RequestHeaderAdd, "request_header_add", out var requestAdd, out error)
            || !TryValidateRemovals(options.RequestHeaderRemove, "request_header_remove", out error)
            || !TryParseAdditions(options.ResponseHeaderAdd, "response_header_add", out var responseAdd, out error)
            || !TryValidateRemovals(options.ResponseHeaderRemove, "response_header_remove", out error)
            || !HostHeaderRule.TryParse(options.HostHeader, out var hostHeader, out error)
            || !StrictTransportSecurity.TryCreate(options.HstsMaxAge, options.HstsIncludeSubdomains, out string? hsts, out error))
        {
            return false;
        }

        string upstream = options.UpstreamProtocol ?? UpstreamProtocols.Http1;
        if (!UpstreamProtocols.IsKnown(upstream))
        {
            error = ErrorCodes.InvalidOptionValue.ToError(
                $"upstream_protocol {ErrorText.Quote(upstream)}", "expected http1 or http2");
            return false;
        }

        if (!TryValidateLimits(options, proto, out error) || !TryValidateTls(options, proto, out var mutualTlsCas, out error))
        {
            return false;
        }

        if (options.TrafficPolicy is { Length: > EndpointOptions.MaxTrafficPolicyLength } policy)
        {
            error = ErrorCodes.TrafficPolicyInvalid.ToError(
                $"the document is {policy.Length} characters", $"at most {EndpointOptions.MaxTrafficPolicyLength} are accepted");
            return false;
        }

        validated = new ValidatedEndpointOptions
        {
            BasicAuth = basicAuth,
            CidrAllow = allow,
            CidrDeny = deny,
            RequestHeaderAdd = requestAdd,
            RequestHeaderRemove = [.. options.RequestHeaderRemove],
            ResponseHeaderAdd = responseAdd,
            ResponseHeaderRemove = [.. options.ResponseHeaderRemove],
            HostHeader = hostHeader,
            StrictTransportSecurity = hsts,
            UpstreamProtocol = upstream,
            Inspect = options.Inspect,
            IdleTimeout = options.IdleTimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
            MaxConnections = options.MaxConnections,
            MutualTlsCas = mutualTlsCas,
            TerminateTlsAtEdge = options.TerminateAt == TlsTerminations.Edge,
            TrafficPolicy = string.IsNullOrWhiteSpace(options.TrafficPolicy) ? null : options.TrafficPolicy,
        };
        return true;
    }

    /// <summary>The longest idle timeout a tunnel may ask for: 30 days, beyond which "never" is meant.</summary>
    public static readonly TimeSpan MaxIdleTimeout = TimeSpan.FromDays(30);

    /// <summary>The largest connection limit a tunnel (or edge) may set.</summary>
    public const int MaxConnectionLimit = 1_000_000;

    /// <summary>Checks an idle timeout for tcp/tls connections: positive and at most <see cref="MaxIdleTimeout"/>.</summary>
    /// <param name="value">The timeout.</param>
    /// <param name="text">The value as the user wrote it, for the message.</param>
    /// <returns>An <c>ERR_BURROW_2013</c> error, or <see langword="null"/> when valid.</returns>
    public static ProtocolError? CheckIdleTimeout(TimeSpan value, string text) =>
        value <= TimeSpan.Zero ? ErrorCodes.InvalidIdleTimeout.ToError(text, "it must be a positive duration")
        : value > MaxIdleTimeout ? ErrorCodes.InvalidIdleTimeout.ToError(text, "it must be at most 30 days")
        : null;

    /// <summary>Checks a connection limit: a whole number from 1 to <see cref="MaxConnectionLimit"/>.</summary>
    /// <param name="value">The limit.</param>
    /// <returns>An <c>ERR_BURROW_2014</c> error, or <see langword="null"/> when valid.</returns>
    public static ProtocolError? CheckMaxConnections(long value) =>
        value is < 1 or > MaxConnectionLimit
            ? ErrorCodes.InvalidMaxConnections.ToError(value.ToString(System.Globalization.CultureInfo.InvariantCulture), "expected a whole number from 1 to 1000000")
            : null;

    private static bool TryValidateLimits(EndpointOptions options, string proto, [NotNullWhen(false)] out ProtocolError? error)
    {
        error = null;
        if (options.IdleTimeoutMs is null && options.MaxConnections is null)
        {
            return true;
        }

        if (proto == TunnelProtocols.Http)
        {
            error = ErrorCodes.InvalidOptionValue.ToError(
                options.IdleTimeoutMs is not null ? "idle_timeout_ms" : "max_connections", "it applies to tcp and tls tunnels only, not http");
            return false;
        }

        if (options.IdleTimeoutMs is { } ms)
        {
            string text = ms.ToString(System.Globalization.CultureInfo.InvariantCulture) + "ms";
            error = ms <= 0 || ms > (long)MaxIdleTimeout.TotalMilliseconds
                ? CheckIdleTimeout(ms <= 0 ? TimeSpan.Zero : TimeSpan.MaxValue, text)
                : null;
            if (error is not null)
            {
                return false;
            }
        }

        if (options.MaxConnections is { } max && (error = CheckMaxConnections(max)) is not null)
        {
            return false;
        }

        return true;
    }

    /// <summary>Where TLS ends and whose client certificates count: the combinations the edge can enforce, and readable CAs.</summary>
    private static bool TryValidateTls(
        EndpointOptions options, string proto, out System.Security.Cryptography.X509Certificates.X509Certificate2Collection? mutualTlsCas, [NotNullWhen(false)] out ProtocolError? error)
    {
        mutualTlsCas = null;
        error = null;
        if (options.TerminateAt is { } terminateAt)
        {
            if (proto != TunnelProtocols.Tls)
            {
                error = ErrorCodes.InvalidOptionValue.ToError("terminate_at", $"it applies to tls tunnels only, not {proto}");
                return false;
            }

            if (!TlsTerminations.All.Contains(terminateAt, StringComparer.Ordinal))
            {
                error = ErrorCodes.InvalidOptionValue.ToError($"terminate_at {ErrorText.Quote(terminateAt)}", "expected edge, agent or upstream");
                return false;
            }
        }

        if (options.MutualTlsCas is not { } pem)
        {
            return true;
        }

        if (proto == TunnelProtocols.Tcp)
        {
            error = ErrorCodes.InvalidOptionValue.ToError("mutual_tls_cas", "it applies to http tunnels and tls tunnels terminated at the edge, not tcp");
            return false;
        }

        if (proto == TunnelProtocols.Tls && options.TerminateAt != TlsTerminations.Edge)
        {
            // Passed through, the client's TLS is the upstream's: the edge never sees a certificate to check.
            error = ErrorCodes.InvalidTlsTermination.ToError("mutual_tls_cas on a tls tunnel needs terminate_at edge (the edge checks client certificates only where it terminates TLS)");
            return false;
        }

        return MutualTlsAuthorities.TryParse(pem, "sent with the bind (mutual_tls_cas)", out mutualTlsCas, out error);
    }

    private static ProtocolError? RefuseHttpOnly(EndpointOptions options, string proto)
    {
        string? option =
            options.BasicAuth.Count > 0 ? "basic_auth"
            : options.RequestHeaderAdd.Count > 0 ? "request_header_add"
            : options.RequestHeaderRemove.Count > 0 ? "request_header_remove"
            : options.ResponseHeaderAdd.Count > 0 ? "response_header_add"
            : options.ResponseHeaderRemove.Count > 0 ? "response_header_remove"
            : options.HostHeader is not null ? "host_header"
            : options.UpstreamProtocol is not null ? "upstream_protocol"
            : options.HstsMaxAge is not null ? "hsts_max_age"
            : options.HstsIncludeSubdomains ? "hsts_include_subdomains"
            : null;
        return option is null
            ? null
            : ErrorCodes.InvalidOptionValue.ToError(option, $"it applies to http tunnels only, not {proto}");
    }

    private static bool TryParseCidrs(
        IReadOnlyList<string> values, string option, out List<IPNetwork> networks, [NotNullWhen(false)] out ProtocolError? error)
    {
        networks = new List<IPNetwork>(values.Count);
        for (int i = 0; i < values.Count; i++)
        {
            if (!CidrNotation.TryParse(values[i], out IPNetwork network, out error, ErrorText.Element(option, i)))
            {
                return false;
            }

            networks.Add(network);
        }

        error = null;
        return true;
    }

    private static bool TryParseAdditions(
        IReadOnlyList<string> values, string option, out List<HeaderAddition> additions, [NotNullWhen(false)] out ProtocolError? error)
    {
        additions = new List<HeaderAddition>(values.Count);
        for (int i = 0; i < values.Count; i++)
        {
            if (!HeaderAddition.TryParse(values[i], out var addition, out error, ErrorText.Element(option, i)))
            {
                return false;
            }

            additions.Add(addition);
        }

        error = null;
        return true;
    }

    private static bool TryValidateRemovals(IReadOnlyList<string> values, string option, [NotNullWhen(false)] out ProtocolError? error)
    {
        for (int i = 0; i < values.Count; i++)
        {
            if (!HeaderNames.TryValidateRemoval(values[i], out error, ErrorText.Element(option, i)))
            {
                return false;
            }
        }

        error = null;
        return true;
    }
}

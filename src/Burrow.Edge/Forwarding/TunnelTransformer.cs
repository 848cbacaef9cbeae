using System.Globalization;
using System.Net;
using System.Net.Http;
using Burrow.Edge.Policy;
using Burrow.Edge.Routing;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Validation;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace Burrow.Edge.Forwarding;

/// <summary>
/// Shapes requests and responses of one tunnel: Host per <c>host_header</c>, X-Forwarded-* appended
/// (the client's own values are kept but never trusted by the edge), hop-by-hop headers dropped,
/// then the tunnel's header rules.
/// </summary>
internal sealed class TunnelTransformer : HttpTransformer
{
    private readonly Tunnel _tunnel;
    private readonly string? _rewriteHost;

    public TunnelTransformer(Tunnel tunnel)
    {
        _tunnel = tunnel;
        _rewriteHost = tunnel.ForwardsTo is { } forwardsTo && Uri.TryCreate(forwardsTo, UriKind.Absolute, out Uri? uri)
            && uri.Scheme is "http" or "https"
            ? uri.Authority
            : null;
    }

    public override async ValueTask TransformRequestAsync(
        HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        HttpRequest request = httpContext.Request;
        var headers = proxyRequest.Headers;

        // Headers named by Connection are hop-by-hop too (RFC 9110 §7.6.1); YARP drops only the standard ones.
        foreach (string? value in request.Headers.Connection)
        {
            foreach (string name in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!name.Equals("upgrade", StringComparison.OrdinalIgnoreCase) && !name.Equals("close", StringComparison.OrdinalIgnoreCase)
                    && !name.Equals("keep-alive", StringComparison.OrdinalIgnoreCase))
                {
                    headers.Remove(name);
                    proxyRequest.Content?.Headers.Remove(name);
                }
            }
        }

        if (Telemetry.EdgeTracing.Current is { } span)
        {
            // The agent (and through it the upstream) continues this request's trace under the edge's span.
            headers.Remove("traceparent");
            headers.TryAddWithoutValidation("traceparent", span.Id);
            if (span.TraceStateString is { Length: > 0 } state)
            {
                headers.Remove("tracestate");
                headers.TryAddWithoutValidation("tracestate", state);
            }
        }

        string publicHost = request.Host.Value ?? _tunnel.Hostname;
        headers.Host = _tunnel.Options.HostHeader.Mode switch
        {
            HostHeaderMode.Rewrite => _rewriteHost ?? publicHost,
            HostHeaderMode.Literal => _tunnel.Options.HostHeader.Value,
            _ => publicHost,
        };

        IPAddress? clientIp = httpContext.Connection.RemoteIpAddress;
        if (clientIp is { IsIPv4MappedToIPv6: true })
        {
            clientIp = clientIp.MapToIPv4();
        }

        Append(headers, "X-Forwarded-For", request.Headers["X-Forwarded-For"], clientIp?.ToString() ?? "unknown");
        Append(headers, "X-Forwarded-Proto", request.Headers["X-Forwarded-Proto"], request.Scheme);
        Append(headers, "X-Forwarded-Host", request.Headers["X-Forwarded-Host"], publicHost);

        if (_tunnel.Policy.RequiresBasicAuth)
        {
            // The credentials were for the edge; the upstream never sees them.
            headers.Authorization = null;
        }

        if (_tunnel.MutualTls is not null)
        {
            // Only the edge vouches for a client certificate: a value the client sent itself is dropped. Per request, because
            // a pooled proxy stream carries requests of many clients (its proxy header names only the first).
            headers.Remove(Tls.ClientCertificateInfo.ForwardedHeader);
            if (Tls.HandshakeClientCertificate.ValidatedFor(httpContext, _tunnel) is { } certificate)
            {
                headers.TryAddWithoutValidation(Tls.ClientCertificateInfo.ForwardedHeader, Tls.ClientCertificateInfo.ForwardedValue(certificate));
            }
        }

        foreach (string name in _tunnel.Options.RequestHeaderRemove)
        {
            headers.Remove(name);
            proxyRequest.Content?.Headers.Remove(name);
        }

        foreach (HeaderAddition addition in _tunnel.Options.RequestHeaderAdd)
        {
            if (!headers.TryAddWithoutValidation(addition.Name, addition.Value))
            {
                proxyRequest.Content?.Headers.TryAddWithoutValidation(addition.Name, addition.Value);
            }
        }

        var tls = httpContext.Features.Get<ITlsHandshakeFeature>();
        proxyRequest.Options.Set(ProxyClientInfo.Key, new ProxyClientInfo(
            FormatEndPoint(clientIp, httpContext.Connection.RemotePort),
            tls is null ? null : tls.HostName ?? request.Host.Host,
            tls is null ? null : new ProxyTlsInfo
            {
                Terminated = true,
                Version = tls.Protocol switch
                {
                    System.Security.Authentication.SslProtocols.Tls13 => "TLSv1.3",
                    System.Security.Authentication.SslProtocols.Tls12 => "TLSv1.2",
                    _ => tls.Protocol.ToString(),
                },
                Alpn = httpContext.Features.Get<ITlsApplicationProtocolFeature>() is { } alpn && !alpn.ApplicationProtocol.IsEmpty
                    ? System.Text.Encoding.ASCII.GetString(alpn.ApplicationProtocol.Span)
                    : null,
            }));
    }

    public override async ValueTask<bool> TransformResponseAsync(
        HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        bool proceed = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        // Before the body is read and the proxy stream goes back to the pool: later requests then take the unpooled invoker.
        _tunnel.UpstreamReuse.Observe(proxyResponse);
        IHeaderDictionary headers = httpContext.Response.Headers;
        foreach (string name in _tunnel.Options.ResponseHeaderRemove)
        {
            headers.Remove(name);
        }

        foreach (HeaderAddition addition in _tunnel.Options.ResponseHeaderAdd)
        {
            headers.Append(addition.Name, addition.Value);
        }

        // The policy the request phase ran (the operator may have swapped the tunnel's since), never a newer one.
        if (proceed && PolicyContext.Of(httpContext) is { } policyContext)
        {
            return await RunResponsePolicyAsync(httpContext, policyContext.Policy, policyContext).ConfigureAwait(false);
        }

        return proceed;
    }

    /// <summary>on_http_response, with the agent's status and headers on the response and its body not yet sent; false when an action answered instead.</summary>
    private static async ValueTask<bool> RunResponsePolicyAsync(HttpContext httpContext, Policy.TrafficPolicy policy, PolicyContext policyContext)
    {
        try
        {
            if (!policy.OnHttpResponse.IsEmpty
                && await policy.RunAsync(PolicyPhaseKind.HttpResponse, policyContext).ConfigureAwait(false) == Policy.Actions.ActionResult.Stop)
            {
                return false;
            }
        }
        catch (PolicyEvaluationException ex)
        {
            await Errors.ErrorResponder.WriteAsync(httpContext, Protocol.Errors.ErrorCodes.PolicyEvaluationFailed,
                Protocol.Errors.ErrorCodes.PolicyEvaluationFailed.FormatMessage(ex.Rule, ex.Reason)).ConfigureAwait(false);
            return false;
        }

        policyContext.CompressedBody ??= policyContext.Compression?.Apply(httpContext);
        return true;
    }

    private static void Append(System.Net.Http.Headers.HttpRequestHeaders headers, string name, Microsoft.Extensions.Primitives.StringValues existing, string value)
    {
        headers.Remove(name);
        string combined = existing.Count == 0 ? value : $"{string.Join(", ", existing.ToArray())}, {value}";
        headers.TryAddWithoutValidation(name, combined);
    }

    private static string FormatEndPoint(IPAddress? address, int port) =>
        address is null ? ""
        : address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? string.Create(CultureInfo.InvariantCulture, $"[{address}]:{port}")
            : string.Create(CultureInfo.InvariantCulture, $"{address}:{port}");
}

using Burrow.Protocol.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Burrow.Agent.Inspection;

/// <summary>
/// Forwards the request as the edge sent it: the public Host header kept (the raw pump passes it
/// through too) and no X-Forwarded-* of this hop, since the edge already set them for the real client.
/// The pre-dialed upstream connection rides along in the request's options for the connect callback.
/// </summary>
internal sealed class HostPreservingTransformer : HttpTransformer
{
    public static readonly HttpRequestOptionsKey<PreDialedUpstream> PreDialedKey = new("burrow.predialed");

    public static readonly HostPreservingTransformer Instance = new();

    /// <summary>The key of the tunnel's <see cref="UpstreamConnectionReuse"/> in <c>HttpContext.Items</c>, which each response teaches.</summary>
    public static readonly object ReuseKey = new();

    public override async ValueTask TransformRequestAsync(
        Microsoft.AspNetCore.Http.HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        proxyRequest.Headers.Host = httpContext.Request.Host.HasValue ? httpContext.Request.Host.Value : null;
        if (httpContext.Items[PreDialedUpstream.ItemKey] is PreDialedUpstream preDialed)
        {
            proxyRequest.Options.Set(PreDialedKey, preDialed);
        }
    }

    public override async ValueTask<bool> TransformResponseAsync(
        Microsoft.AspNetCore.Http.HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        bool proceed = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        // Before the body is read and the connection goes back to the pool: later requests then take the unpooled client.
        (httpContext.Items[ReuseKey] as UpstreamConnectionReuse)?.Observe(proxyResponse);
        return proceed;
    }
}

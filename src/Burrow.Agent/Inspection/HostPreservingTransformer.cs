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
}

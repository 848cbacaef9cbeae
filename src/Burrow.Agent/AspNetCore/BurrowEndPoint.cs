using System.Net;

namespace Burrow.Agent.AspNetCore;

/// <summary>
/// The Kestrel endpoint of a Burrow tunnel: <c>UseBurrowTunnel</c> listens on it, and only
/// <see cref="BurrowConnectionListenerFactory"/> binds it. Once bound it carries the public URL, and prints as its host
/// and port (Kestrel logs <c>Now listening on: http://&lt;that&gt;</c>; the scheme there is Kestrel's side of the tunnel).
/// </summary>
public sealed class BurrowEndPoint : EndPoint
{
    /// <summary>An endpoint not bound yet.</summary>
    public BurrowEndPoint()
    {
    }

    /// <summary>A bound endpoint.</summary>
    /// <param name="url">The tunnel's public URL.</param>
    public BurrowEndPoint(Uri url)
    {
        Url = url;
    }

    /// <summary>The public URL once bound.</summary>
    public Uri? Url { get; }

    /// <inheritdoc/>
    public override string ToString() => Url?.Authority ?? "burrow-tunnel";
}

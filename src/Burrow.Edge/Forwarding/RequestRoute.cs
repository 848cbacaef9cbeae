using System.Diagnostics.CodeAnalysis;
using Burrow.Edge.Routing;
using Burrow.Edge.Routing.Pooling;
using Burrow.Storage.Routes;

namespace Burrow.Edge.Forwarding;

/// <summary>Where one public HTTP request goes (<see cref="RequestRouter"/>): a tunnel here, another node, or nowhere.</summary>
/// <remarks>A struct: one is made for every request, and the hot path allocates nothing for it.</remarks>
internal readonly struct RequestRoute
{
    private RequestRoute(TunnelPool? pool, Tunnel? tunnel, RouteRow? node)
    {
        Pool = pool;
        Tunnel = tunnel;
        Node = node;
    }

    /// <summary>No tunnel serves the name, here or on a node this one can carry the request to.</summary>
    public static RequestRoute NotFound => default;

    /// <summary>The pool of the tunnel chosen here, for a retry on another member; set when <see cref="IsHere"/>.</summary>
    public TunnelPool? Pool { get; }

    /// <summary>The tunnel (this node's member of the pool) that takes the request; set when <see cref="IsHere"/>.</summary>
    public Tunnel? Tunnel { get; }

    /// <summary>The route of the tunnel on another node that takes the request; set when <see cref="IsOnOtherNode"/>.</summary>
    public RouteRow? Node { get; }

    /// <summary>Served by a tunnel of this node.</summary>
    [MemberNotNullWhen(true, nameof(Pool), nameof(Tunnel))]
    public bool IsHere => Tunnel is not null;

    /// <summary>Carried over the node link to the node in <see cref="Node"/>.</summary>
    [MemberNotNullWhen(true, nameof(Node))]
    public bool IsOnOtherNode => Node is not null;

    /// <summary>Served here by <paramref name="tunnel"/>, a member of <paramref name="pool"/>.</summary>
    public static RequestRoute Here(TunnelPool pool, Tunnel tunnel) => new(pool, tunnel, null);

    /// <summary>Carried to the node that holds <paramref name="node"/>.</summary>
    public static RequestRoute OtherNode(RouteRow node) => new(null, null, node);
}

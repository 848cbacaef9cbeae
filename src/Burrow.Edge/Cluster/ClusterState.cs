using Burrow.Protocol.Errors;

namespace Burrow.Edge.Cluster;

/// <summary>
/// This node's view of its cluster, for every part that needs one: the membership (registry, links) once the edge has
/// joined in <see cref="EdgeServer.StartAsync"/>, <see langword="null"/> for a single edge. It is also the node directory
/// and the node links the routes and the agent legs are built with: those parts are created with the edge, before it
/// joins, so they hold this and it answers from the membership once there is one.
/// </summary>
internal sealed class ClusterState : INodeDirectory, INodeLinks
{
    private ClusterMembership? _membership;
    private Func<Stream, string, CancellationToken, Task>? _inbound;

    public ClusterMembership? Membership
    {
        get => Volatile.Read(ref _membership);
        set
        {
            ClusterMembership? old = Interlocked.Exchange(ref _membership, value);
            if (old is not null)
            {
                old.Registry.Changed -= RaiseChanged;
            }

            if (value is not null)
            {
                value.Registry.Changed += RaiseChanged;
                if (_inbound is { } handler)
                {
                    value.Links.OnInboundStream(handler);
                }
            }

            RaiseChanged();
        }
    }

    /// <summary>The node directory, when this edge is a node.</summary>
    public INodeDirectory? Directory => Membership is null ? null : this;

    /// <summary>The node links, when this edge is a node.</summary>
    public INodeLinks? Links => Membership is null ? null : this;

    /// <inheritdoc/>
    public string LocalName => Membership?.Registry.LocalName ?? "";

    /// <inheritdoc/>
    public IReadOnlyList<ClusterNode> LiveNodes => Membership?.Registry.LiveNodes ?? [];

    /// <inheritdoc/>
    public event Action? Changed;

    /// <inheritdoc/>
    public ValueTask<Stream> OpenStreamAsync(string nodeName, CancellationToken cancellationToken) =>
        Membership is { } membership
            ? membership.Links.OpenStreamAsync(nodeName, cancellationToken)
            : ValueTask.FromException<Stream>(new ProtocolException(ErrorCodes.NodeUnreachable, ErrorCodes.NodeUnreachable.FormatMessage(nodeName, "this node is not in a cluster (yet)")));

    /// <inheritdoc/>
    public void OnInboundStream(Func<Stream, string, CancellationToken, Task> handler)
    {
        _inbound = handler;
        Membership?.Links.OnInboundStream(handler);
    }

    private void RaiseChanged() => Changed?.Invoke();
}

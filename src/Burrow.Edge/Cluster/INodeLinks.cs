namespace Burrow.Edge.Cluster;

/// <summary>
/// The mutually authenticated TLS links between nodes, each carrying Burrow.Mux: the way a request or connection
/// that lands on a node without the tunnel's agent reaches the node that has one (issue 15 item 2).
/// </summary>
internal interface INodeLinks
{
    /// <summary>
    /// Opens a new stream on the link to <paramref name="nodeName"/> (dialing the link first if there is none). The
    /// caller writes its own header first (what the stream is for: the tunnel, the client's address) and owns the
    /// stream. Throws <see cref="Burrow.Protocol.Errors.ProtocolException"/> with a cluster error code when the node
    /// cannot be reached.
    /// </summary>
    ValueTask<Stream> OpenStreamAsync(string nodeName, CancellationToken cancellationToken);

    /// <summary>
    /// Sets what handles the streams other nodes open to this one; each accepted stream is passed to it, on its own
    /// task with the name of the node that opened it, and closed when it returns. Set once, before links are accepted.
    /// </summary>
    void OnInboundStream(Func<Stream, string, CancellationToken, Task> handler);
}

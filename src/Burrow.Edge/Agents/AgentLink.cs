using Burrow.Mux.Frames;
using Burrow.Mux.Streams;
using Burrow.Protocol.Messages;

namespace Burrow.Edge.Agents;

/// <summary>
/// One live connection of an agent, as the rest of the edge sees it: open a proxy stream for a
/// public connection, tell the agent something, close. A Burrow agent's connection is yamux with a
/// control stream (<see cref="BurrowAgentLink"/>); an ngrok client's is muxado with typed streams
/// (<see cref="Ngrok.NgrokAgentLink"/>). Sessions, tunnels and the data path do not care which.
/// </summary>
internal abstract class AgentLink
{
    /// <summary>
    /// How long an ending connection gives its last message to reach the agent and the agent to
    /// hang up. A Burrow agent hangs up as soon as it has read it (milliseconds); this bounds one
    /// that does not, or a link that stopped reading.
    /// </summary>
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    protected AgentLink(string remoteAddress)
    {
        RemoteAddress = remoteAddress;
    }

    public string RemoteAddress { get; }

    /// <summary>Whether the connection has ended.</summary>
    public abstract bool IsClosed { get; }

    /// <summary>Streams open on the connection now (proxy streams and the agent's own).</summary>
    public abstract int StreamCount { get; }

    /// <summary>Completes when the connection ends, however it ends.</summary>
    public abstract Task Completion { get; }

    /// <summary>
    /// Whether the agent answers each proxy stream with a <c>proxy_result</c> before the upstream's
    /// bytes (Burrow agents); an ngrok client sends the upstream's bytes at once and answers a
    /// failed dial itself.
    /// </summary>
    public abstract bool AnswersProxyStreams { get; }

    /// <summary>
    /// Opens a proxy stream for one public connection or HTTP connection and sends its header; a
    /// failure to send it resets the stream before the exception goes on.
    /// </summary>
    /// <exception cref="IOException">The connection is closing or gone.</exception>
    public abstract ValueTask<MultiplexedStream> OpenProxyStreamAsync(ProxyHeader header, CancellationToken cancellationToken);

    /// <summary>Whether the agent still answers (a ping within <paramref name="within"/>); a reconnecting agent may notice a dead link before the edge does.</summary>
    public abstract Task<bool> IsAliveAsync(TimeSpan within, CancellationToken cancellationToken);

    /// <summary>Sends a control message where the protocol has one, ignoring a link that has just died (the agent reconnects and learns the state then).</summary>
    public abstract ValueTask TrySendAsync(ControlMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Ends the connection after what was written: the protocol's go-away with <paramref name="code"/>
    /// comes last, and the transport closes once the agent hung up or <see cref="CloseTimeout"/> passed.
    /// </summary>
    public abstract Task CloseAsync(GoAwayCode code, CancellationToken cancellationToken);

    /// <summary>Drops the connection now (another connection of the same agent took the session over).</summary>
    public abstract ValueTask AbortAsync();
}

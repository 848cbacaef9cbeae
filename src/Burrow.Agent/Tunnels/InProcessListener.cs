using System.Threading.Channels;

namespace Burrow.Agent.Tunnels;

/// <summary>
/// The queue between the proxy streams of an in-process tunnel and the program that accepts them: the agent offers
/// each one, the program takes them with <see cref="AcceptAsync"/>. Once completed, offered connections are refused.
/// </summary>
internal sealed class InProcessListener
{
    // Unbounded: each waiting entry is one public client the edge already admitted (its limits apply there).
    private readonly Channel<TunnelConnection> _queue = Channel.CreateUnbounded<TunnelConnection>(new UnboundedChannelOptions { SingleReader = false });

    /// <summary>Queues a connection; false once the listener is completed (the caller then resets it).</summary>
    public bool Offer(TunnelConnection connection) => _queue.Writer.TryWrite(connection);

    /// <summary>The next connection, or <see langword="null"/> once completed and drained.</summary>
    public async ValueTask<TunnelConnection?> AcceptAsync(CancellationToken cancellationToken)
    {
        while (await _queue.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_queue.Reader.TryRead(out TunnelConnection? connection))
            {
                return connection;
            }
        }

        return null;
    }

    /// <summary>Stops taking connections; those queued and not yet accepted are reset.</summary>
    public void Complete()
    {
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out TunnelConnection? left))
        {
            left.Abort();
        }
    }
}

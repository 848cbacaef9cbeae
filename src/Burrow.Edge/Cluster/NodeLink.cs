using Burrow.Mux.Frames;
using Burrow.Mux.Sessions;
using Burrow.Mux.Streams;

namespace Burrow.Edge.Cluster;

/// <summary>
/// One node link: a Burrow.Mux session over mutually authenticated TLS with one other node. Either end opens streams;
/// the dialing end is the mux client (odd stream ids). The mux keep-alive pings it, which gives the RTT and closes a
/// link whose peer stopped answering.
/// </summary>
internal sealed class NodeLink : IAsyncDisposable
{
    public NodeLink(string peer, MuxSession mux, bool dialed, DateTimeOffset establishedAt)
    {
        Peer = peer;
        Mux = mux;
        Dialed = dialed;
        EstablishedAt = establishedAt;
    }

    /// <summary>The other node's name, as its certificate names it.</summary>
    public string Peer { get; }

    public MuxSession Mux { get; }

    /// <summary>Whether this node dialed the link (else it accepted it).</summary>
    public bool Dialed { get; }

    public DateTimeOffset EstablishedAt { get; }

    public bool IsUsable => !Mux.IsClosed && !Mux.IsRemoteGoingAway;

    /// <summary>The last ping's round trip, once one was answered.</summary>
    public TimeSpan? Rtt => Mux.Rtt;

    /// <summary>Hands every stream the peer opens to the handler <paramref name="handler"/> gives at that moment, each on its own task, until the link ends.</summary>
    public async Task AcceptStreamsAsync(Func<Func<Stream, string, CancellationToken, Task>?> handler, CancellationToken cancellationToken)
    {
        var running = new List<Task>();
        try
        {
            while (true)
            {
                MuxStream stream = await Mux.AcceptStreamAsync(cancellationToken).ConfigureAwait(false);
                running.RemoveAll(t => t.IsCompleted);
                running.Add(ServeAsync(stream, handler(), cancellationToken));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The link ended (or this node stops): its streams end with it.
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private async Task ServeAsync(MuxStream stream, Func<Stream, string, CancellationToken, Task>? handler, CancellationToken cancellationToken)
    {
        await Task.Yield();
        await using (stream.ConfigureAwait(false))
        {
            if (handler is null)
            {
                // Nothing on this node takes streams yet: refused, not left hanging.
                stream.Abort();
                return;
            }

            try
            {
                await handler(stream, Peer, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // One stream's failure is its own.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Mux.GoAway();
        await Mux.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Closes the link politely (GoAway), then disposes it.</summary>
    public async Task CloseAsync(TimeSpan timeout)
    {
        try
        {
            await Mux.CloseAsync(GoAwayCode.Normal, timeout).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
        }

        await DisposeAsync().ConfigureAwait(false);
    }
}

using System.Buffers;
using Burrow.Edge.Limits;
using Burrow.Protocol.Errors;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Cluster;

/// <summary>
/// Makes the edge's sliding-window limits (<see cref="SlidingWindowCounts"/>: policy <c>rate-limit</c> buckets, failed
/// authentications per address) hold for the whole cluster: every <see cref="ClusterOptions.RateShareInterval"/> the
/// node sends what it counted since the last time to the other live nodes that need it, on one long-lived node-link
/// stream per peer (<see cref="RouteStreamKind.RateCounts"/>), and adds what the others send to its own windows. A
/// policy's counts go to the nodes holding a leg of the tunnel (its policy runs only there: traffic entering another
/// node is carried to one of them); failed authentications, which any node may see, go to every node.
/// </summary>
/// <remarks>
/// Gossip, not a round trip per request: a limited request costs what it costs on a single edge, and no node waits for
/// another to answer. The price is a bound rather than an exact count: a limit can be passed by what arrives on the
/// other nodes within one interval (50 ms by default) before their counts arrive. A node that joins learns only the
/// counts made after it joined; counts sent to a node whose link breaks are lost with it. Both err towards letting a
/// request through, never towards refusing one nobody counted.
/// </remarks>
internal sealed partial class SharedRateCounts : IAsyncDisposable
{
    // One tick sends at most this many counts; the rest stay queued for the next.
    private const int MostPerTick = 50_000;

    // A peer whose stream takes longer than this to accept a tick's frames is dropped (and reopened on a later tick).
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(2);

    private readonly SlidingWindowCounts _counts;
    private readonly INodeDirectory _directory;
    private readonly INodeLinks _links;
    private readonly ClusterRoutes _routes;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Stream> _streams = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private Task _running = Task.CompletedTask;

    public SharedRateCounts(SlidingWindowCounts counts, INodeDirectory directory, INodeLinks links, ClusterRoutes routes, EdgeOptions options, TimeProvider time, ILogger<SharedRateCounts> logger)
    {
        _counts = counts;
        _directory = directory;
        _links = links;
        _routes = routes;
        _interval = options.Cluster?.RateShareInterval ?? TimeSpan.FromMilliseconds(50);
        _time = time;
        _logger = logger;
    }

    /// <summary>Starts queueing this node's counts and sending them.</summary>
    public void Start()
    {
        _counts.Sharing = true;
        _running = RunAsync(_stopping.Token);
    }

    /// <summary>Serves a peer's stream of counts until it ends (<see cref="InboundRouteStreams"/>).</summary>
    public async Task ReceiveAsync(Stream stream, string fromNode, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(RateCountFrames.MaxPayload);
        var counts = new List<SharedCount>();
        try
        {
            while (true)
            {
                counts.Clear();
                if (!await RateCountFrames.ReadAsync(stream, buffer, counts, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                foreach (SharedCount count in counts)
                {
                    _counts.AddRemote(count);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            Log.ReceiveEnded(_logger, fromNode, ex.Message);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(false);
        foreach (Stream stream in _streams.Values)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        var counts = new List<SharedCount>();
        var peers = new Dictionary<string, (List<SharedCount> Counts, ArrayBufferWriter<byte> Frames)>(StringComparer.Ordinal);
        var sends = new List<Task>();
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                counts.Clear();
                _counts.TakeUnshared(counts, MostPerTick);
                if (counts.Count == 0)
                {
                    continue;
                }

                IReadOnlyList<ClusterNode> live = _directory.LiveNodes;
                foreach ((List<SharedCount> list, _) in peers.Values)
                {
                    list.Clear();
                }

                foreach (SharedCount count in counts)
                {
                    Address(count, live, peers);
                }

                sends.Clear();
                foreach ((string peer, (List<SharedCount> list, ArrayBufferWriter<byte> frames)) in peers)
                {
                    if (list.Count > 0)
                    {
                        frames.ResetWrittenCount();
                        RateCountFrames.Write(list, frames);
                        sends.Add(SendAsync(peer, frames.WrittenMemory, list.Count, cancellationToken));
                    }
                }

                await Task.WhenAll(sends).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    // Puts a count in the list of every live peer that needs it.
    private void Address(SharedCount count, IReadOnlyList<ClusterNode> live, Dictionary<string, (List<SharedCount> Counts, ArrayBufferWriter<byte> Frames)> peers)
    {
        string local = _directory.LocalName;
        if (count.Scope is null)
        {
            foreach (ClusterNode node in live)
            {
                if (node.Name != local)
                {
                    ListOf(node.Name, peers).Add(count);
                }
            }

            return;
        }

        foreach (Burrow.Storage.Routes.RouteRow row in _routes.Find(count.Scope))
        {
            if (row.Node == local || !IsLive(row.Node, live))
            {
                continue;
            }

            // A node may hold several rows of one key (pooled members): it gets the count once.
            List<SharedCount> list = ListOf(row.Node, peers);
            if (list.Count == 0 || !list[^1].Equals(count))
            {
                list.Add(count);
            }
        }
    }

    private static List<SharedCount> ListOf(string peer, Dictionary<string, (List<SharedCount> Counts, ArrayBufferWriter<byte> Frames)> peers)
    {
        if (!peers.TryGetValue(peer, out var entry))
        {
            entry = ([], new ArrayBufferWriter<byte>());
            peers[peer] = entry;
        }

        return entry.Counts;
    }

    private static bool IsLive(string name, IReadOnlyList<ClusterNode> live)
    {
        foreach (ClusterNode node in live)
        {
            if (node.Name == name)
            {
                return true;
            }
        }

        return false;
    }

    private async Task SendAsync(string peer, ReadOnlyMemory<byte> bytes, int counts, CancellationToken cancellationToken)
    {
        Stream? stream;
        lock (_streams)
        {
            _streams.TryGetValue(peer, out stream);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(WriteTimeout);
        try
        {
            if (stream is null)
            {
                stream = await _links.OpenStreamAsync(peer, timeout.Token).ConfigureAwait(false);
                await new RouteStreamHeader(RouteStreamKind.RateCounts, "", "", "", "").WriteAsync(stream, timeout.Token).ConfigureAwait(false);
                lock (_streams)
                {
                    _streams[peer] = stream;
                }
            }

            await stream.WriteAsync(bytes, timeout.Token).ConfigureAwait(false);
            await stream.FlushAsync(timeout.Token).ConfigureAwait(false);
            _counts.Sent(counts);
        }
        catch (Exception ex) when (ex is IOException or ProtocolException or OperationCanceledException or ObjectDisposedException)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            // These counts are lost for that peer; the stream is opened again on the next tick that has counts.
            lock (_streams)
            {
                if (stream is not null && _streams.TryGetValue(peer, out Stream? current) && ReferenceEquals(current, stream))
                {
                    _streams.Remove(peer);
                }
            }

            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            Log.SendFailed(_logger, peer, ex is OperationCanceledException ? $"no progress within {WriteTimeout.TotalSeconds:0} s" : ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5350, EventName = "RateCountsSendFailed", Level = LogLevel.Debug, Message = "Rate-limit counts could not be sent to node {Peer} ({Reason}); sent again from the next counts on")]
        public static partial void SendFailed(ILogger logger, string peer, string reason);

        [LoggerMessage(EventId = 5351, EventName = "RateCountsReceiveEnded", Level = LogLevel.Debug, Message = "Rate-limit counts from node {Peer} ended: {Reason}")]
        public static partial void ReceiveEnded(ILogger logger, string peer, string reason);
    }
}

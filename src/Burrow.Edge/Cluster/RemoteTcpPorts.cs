using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Burrow.Edge.Routing;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Pumping;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Cluster;

/// <summary>
/// Opens on this node the public port of every TCP tunnel held on another node (a client may reach any node), and
/// carries each connection over the node link to the node that holds it, as bytes with half-close; the owner's
/// <see cref="RemoteConnections"/> hands it to the agent. Ports follow the routes: opened when a route appears,
/// closed when it goes or a tunnel of this node takes the port (<see cref="Yield"/>: a pool member or a leg bound here,
/// whose own listener then carries its pool's share to the other nodes through <see cref="CarryAsync(Socket, Storage.Routes.RouteRow)"/>).
/// </summary>
internal sealed partial class RemoteTcpPorts : IDisposable
{
    private const string Prefix = "tcp://";

    private readonly ClusterRoutes _routes;
    private readonly INodeLinks _links;
    private readonly TunnelRegistry _tunnels;
    private readonly EdgeOptions _options;
    private readonly UnreachableNodes _unreachable;
    private readonly PoolShares _shares;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();

    // The only lock here; nothing else is taken while it is held.
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Tcp.AcceptLoop> _open = new(StringComparer.OrdinalIgnoreCase);
    // Keys whose port a local bind is taking over: not opened again until that bind has ended (Resume).
    private readonly HashSet<string> _yielded = new(StringComparer.OrdinalIgnoreCase);

    public RemoteTcpPorts(
        ClusterRoutes routes, INodeLinks links, TunnelRegistry tunnels, EdgeOptions options, UnreachableNodes unreachable, PoolShares shares, ILogger<RemoteTcpPorts> logger)
    {
        _unreachable = unreachable;
        _shares = shares;
        _routes = routes;
        _links = links;
        _tunnels = tunnels;
        _options = options;
        _logger = logger;
    }

    /// <summary>Follows the routes from now on, and opens the ports of the TCP routes known already.</summary>
    public void Start()
    {
        _routes.Changed += Update;
        foreach (KeyValuePair<string, Storage.Routes.RouteRow[]> route in _routes.Snapshot())
        {
            Update(route.Key);
        }
    }

    /// <summary>The ports this node holds open for other nodes' TCP tunnels (for tests and listings).</summary>
    public string[] OpenKeys()
    {
        lock (_lock)
        {
            return [.. _open.Keys];
        }
    }

    /// <summary>
    /// Closes this node's copy of <paramref name="key"/>'s port when another node holds it and a bind here could share it
    /// (a pool member, or a leg of the same agent: <see cref="ClusterRoutes.MayJoin"/>), so the bind can listen on it
    /// itself; true when it did. The caller calls <see cref="Resume"/> once its bind has ended, either way.
    /// </summary>
    public bool Yield(string key, Agents.AgentSession session, bool pooling)
    {
        if (!_routes.MayJoin(key, session, pooling))
        {
            return false;
        }

        lock (_lock)
        {
            _yielded.Add(key);
            if (_open.Remove(key, out Tcp.AcceptLoop? listening))
            {
                listening.StopAccepting();
            }
        }

        return true;
    }

    /// <summary>Ends a <see cref="Yield"/>: the port is opened again here unless a local tunnel now holds it.</summary>
    public void Resume(string key)
    {
        lock (_lock)
        {
            _yielded.Remove(key);
        }

        Update(key);
    }

    /// <summary>
    /// For a pooled tcp address this node has members of: a member on another node to carry this connection to, with
    /// the weight of its share of all members (<see cref="PoolShares"/>), else <see langword="null"/> (serve it here).
    /// </summary>
    public Storage.Routes.RouteRow? FindPoolShare(Routing.Pooling.TunnelPool pool) => _shares.Pick(pool, TunnelProtocols.Tcp);

    private void Update(string key)
    {
        if (!key.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || _stop.IsCancellationRequested)
        {
            return;
        }

        // IsTaken, not FindByHost: a pool's pick would move its round robin cursor.
        bool wanted = _routes.FindRemote(key) is { Proto: TunnelProtocols.Tcp } && !_tunnels.IsTaken(key);
        lock (_lock)
        {
            wanted &= !_yielded.Contains(key);
            if (wanted == _open.ContainsKey(key))
            {
                return;
            }

            if (!wanted)
            {
                _open.Remove(key, out Tcp.AcceptLoop? listening);
                listening?.StopAccepting();
                return;
            }

            if (!int.TryParse(key.AsSpan(key.LastIndexOf(':') + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port))
            {
                return;
            }

            Socket socket;
            try
            {
                socket = Tcp.ListenSocket.Open(new IPEndPoint(_options.TcpBindAddress, port));
            }
            catch (SocketException ex)
            {
                Log.PortUnavailable(_logger, port, key, ex.Message);
                return;
            }

            // The edge's shared accept loop: a transient accept failure (out of descriptors) is retried, not the end of the port.
            var accepts = new Tcp.AcceptLoop(socket, $"tcp port {port} of {key} (held on another node)", client => CarryAsync(client, key), _logger);
            _open[key] = accepts;
            accepts.Start();
        }
    }

    private async Task CarryAsync(Socket client, string key)
    {
        if (_routes.FindRemote(key, _unreachable) is not { } route)
        {
            client.Dispose();
            return;
        }

        await CarryAsync(client, route).ConfigureAwait(false);
    }

    /// <summary>
    /// Carries a client of this node to <paramref name="route"/>'s node, the client's address in the route header, as
    /// bytes with half-close both ways; a node that cannot be reached is passed over for the next one holding the key (<see cref="CarriedStreams"/>).
    /// </summary>
    public async Task CarryAsync(Socket client, Storage.Routes.RouteRow route)
    {
        client.NoDelay = true;
        string remote = client.RemoteEndPoint?.ToString() ?? "unknown";
        (Stream? link, _) = await CarriedStreams.OpenAsync(
            _links, _routes, _unreachable, route, r => new RouteStreamHeader(RouteStreamKind.Tcp, r.Key, remote, "tcp", ""),
            (r, reason) => Log.LinkFailed(_logger, remote, r.Key, r.Node, reason), _stop.Token).ConfigureAwait(false);
        if (link is null)
        {
            client.Dispose();
            return;
        }

        await DuplexPump.RunAsync(LinkStreamEnds.Of(client), LinkStreamEnds.Of(link)).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _routes.Changed -= Update;
        _stop.Cancel();
        lock (_lock)
        {
            foreach (Tcp.AcceptLoop accepts in _open.Values)
            {
                accepts.StopAccepting();
            }

            _open.Clear();
        }

        _stop.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5337, EventName = "RemoteTcpPortUnavailable", Level = LogLevel.Warning, Message = "Cannot open port {Port} for {Key}, held on another node: {Reason}; its clients must reach that node")]
        public static partial void PortUnavailable(ILogger logger, int port, string key, string reason);

        [LoggerMessage(EventId = 5338, EventName = "RemoteTcpLinkFailed", Level = LogLevel.Information, Message = "Closed TCP client {Client} of {Key}: node {Node} cannot be reached (ERR_BURROW_5321): {Reason}")]
        public static partial void LinkFailed(ILogger logger, string client, string key, string node, string reason);
    }
}

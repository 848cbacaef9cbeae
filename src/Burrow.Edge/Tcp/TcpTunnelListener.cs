using System.Net;
using System.Net.Sockets;
using Burrow.Edge.Agents;
using Burrow.Edge.Forwarding;
using Burrow.Edge.Routing;
using Burrow.Mux.Sessions;
using Burrow.Mux.Streams;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Tcp;

/// <summary>
/// The public port of one TCP tunnel: accepts connections, checks the client's address against
/// the tunnel's CIDR rules, and carries each connection over a new proxy stream to the agent.
/// It stays open while the session is held for a resume, so the port comes back with it. On a node of a cluster, a pooled
/// port gives the members on other nodes their share of its connections, carried over the node link.
/// </summary>
internal sealed partial class TcpTunnelListener : IDisposable
{
    private readonly AcceptLoop _accepts;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private Routing.Pooling.TunnelPool _pool = null!;
    private Cluster.RemoteTcpPorts? _remote;

    private TcpTunnelListener(Socket socket, int port, ILogger logger, TimeProvider time)
    {
        _time = time;
        _accepts = new AcceptLoop(socket, $"tcp tunnel port {port}", ServeAsync, logger, time);
        Port = port;
        _logger = logger;
    }

    public int Port { get; }

    /// <summary>Binds and listens on <paramref name="port"/>, or returns <see langword="null"/> when the port is in use.</summary>
    public static TcpTunnelListener? TryBind(IPAddress address, int port, ILogger logger, TimeProvider time)
    {
        try
        {
            return new TcpTunnelListener(ListenSocket.Open(new IPEndPoint(address, port)), port, logger, time);
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>
    /// Starts accepting for the tunnels of <paramref name="pool"/>: its only one, or a pick per connection; with
    /// <paramref name="remote"/> (a node of a cluster) a pooled port also carries connections to members on other nodes.
    /// </summary>
    public void Start(Routing.Pooling.TunnelPool pool, Cluster.RemoteTcpPorts? remote = null)
    {
        _pool = pool;
        _remote = remote;
        _accepts.Start();
    }

    /// <summary>Stops accepting and releases the port; idempotent. Connections already carried go on until either side ends them.</summary>
    public void Dispose()
    {
        // The source is not disposed: connections being set up may still read its token.
        _stop.Cancel();
        _accepts.StopAccepting();
    }

    private async Task ServeAsync(Socket client)
    {
        // A member on another node drew this connection: its node serves it, policy and limits included.
        if (_remote?.FindPoolShare(_pool) is { } route)
        {
            await _remote.CarryAsync(client, route).ConfigureAwait(false);
            return;
        }

        string remote = client.RemoteEndPoint?.ToString() ?? "unknown";
        if (_pool.Pick() is not { } tunnel)
        {
            // The last member left between the accept and now; the port closes with it.
            client.Dispose();
            return;
        }

        if (!tunnel.Policy.IsAddressAllowed((client.RemoteEndPoint as IPEndPoint)?.Address))
        {
            Log.ClientDenied(_logger, remote, tunnel.Id, Port);
            client.Dispose();
            return;
        }

        if (!await Policy.ConnectionPolicy.AllowsAsync(tunnel, client.RemoteEndPoint, client.LocalEndPoint, null, _logger).ConfigureAwait(false))
        {
            client.Dispose();
            return;
        }

        if (!tunnel.TryOpenConnection())
        {
            Log.TooManyConnections(_logger, remote, tunnel.Id, Port, tunnel.MaxConnections);
            client.Dispose();
            return;
        }

        tunnel.Health.Started();
        try
        {
            await CarryAsync(client, remote, tunnel).ConfigureAwait(false);
        }
        finally
        {
            tunnel.Health.Ended();
            tunnel.CloseConnection();
        }
    }

    private async Task CarryAsync(Socket client, string remote, Tunnel tunnel)
    {
        AgentLink? link = tunnel.Session.Link;
        if (link is null)
        {
            TakeOut(tunnel);
            Log.AgentAway(_logger, remote, tunnel.Id, ErrorCodes.AgentSessionGone.Code);
            client.Dispose();
            return;
        }

        client.NoDelay = true;
        MultiplexedStream stream;
        try
        {
            var header = new ProxyHeader { TunnelId = tunnel.Id, ClientAddr = remote, ServerAddr = client.LocalEndPoint?.ToString(), Proto = TunnelProtocols.Tcp };
            stream = await ProxyStreamOpener.OpenAsync(link, header, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            Log.ProxyStreamFailed(_logger, remote, tunnel.Id, ex.Message);
            client.Dispose();
            return;
        }

        // The client's first bytes go out at once; the agent's answer is read before any byte goes back.
        tunnel.Counters.AddConnection();
        TimeSpan? idle = tunnel.IdleTimeout;
        TimeSpan idleFor = idle ?? TimeSpan.Zero;
        using IdleWatch? watch = IdleWatch.Start(_time, idle, () =>
        {
            Log.IdleClosed(_logger, remote, tunnel.Id, Port, idleFor);
            TcpPump.Abort(client, stream);
        });
        var traffic = new Traffic.ConnectionTraffic(tunnel, "TCP", remote);
        try
        {
            Func<Task<bool>> accepted = link.AnswersProxyStreams ? () => ReadResultAsync(stream, remote, tunnel) : static () => Task.FromResult(true);
            await TcpPump.RunAsync(client, stream, accepted, traffic.Counters, watch).ConfigureAwait(false);
        }
        finally
        {
            traffic.Ended();
        }
    }

    /// <summary>Reads the agent's <c>proxy_result</c>; false (logged) when it could not reach the upstream.</summary>
    private async Task<bool> ReadResultAsync(MultiplexedStream stream, string remote, Tunnel tunnel)
    {
        try
        {
            if (await ProxyStreamOpener.ReadResultAsync(stream, ProxyStreamOpener.ResultTimeout, _stop.Token).ConfigureAwait(false) is not { } error)
            {
                return true;
            }

            Log.UpstreamFailed(_logger, remote, tunnel.Id, error.Code, error.Message);
            TakeOut(tunnel);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or TimeoutException or ProtocolException or ObjectDisposedException)
        {
            Log.ProxyStreamFailed(_logger, remote, tunnel.Id, ex.Message);
        }

        return false;
    }

    /// <summary>A pool member that failed a connection gets none for the recheck interval; a lone tunnel has no one to give them to.</summary>
    private void TakeOut(Tunnel tunnel)
    {
        if (tunnel.Pooled && tunnel.TakeOut() is { } until)
        {
            Log.MemberOut(_logger, tunnel.Id, tunnel.Hostname, until);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1406, EventName = "TcpPoolMemberOut", Level = LogLevel.Warning, Message = "Pool member {TunnelId} of {Address} failed a connection; it gets no new ones until {Until:O}")]
        public static partial void MemberOut(ILogger logger, string tunnelId, string address, DateTimeOffset until);

        [LoggerMessage(EventId = 1400, EventName = "TcpClientDenied", Level = LogLevel.Information, Message = "Refused TCP client {RemoteAddress} on tunnel {TunnelId} (port {Port}): its address is not allowed (ERR_BURROW_3006)")]
        public static partial void ClientDenied(ILogger logger, string remoteAddress, string tunnelId, int port);

        [LoggerMessage(EventId = 1401, EventName = "TcpAgentAway", Level = LogLevel.Information, Message = "Closed TCP client {RemoteAddress} on tunnel {TunnelId}: the agent is disconnected ({Code})")]
        public static partial void AgentAway(ILogger logger, string remoteAddress, string tunnelId, string code);

        [LoggerMessage(EventId = 1402, EventName = "TcpUpstreamFailed", Level = LogLevel.Information, Message = "Closed TCP client {RemoteAddress} on tunnel {TunnelId}: {Code} {Reason}")]
        public static partial void UpstreamFailed(ILogger logger, string remoteAddress, string tunnelId, string code, string reason);

        [LoggerMessage(EventId = 1403, EventName = "TcpProxyStreamFailed", Level = LogLevel.Information, Message = "Closed TCP client {RemoteAddress} on tunnel {TunnelId}: the proxy stream failed: {Reason}")]
        public static partial void ProxyStreamFailed(ILogger logger, string remoteAddress, string tunnelId, string reason);

        [LoggerMessage(EventId = 1404, EventName = "TcpIdleClosed", Level = LogLevel.Information, Message = "Closed TCP client {RemoteAddress} on tunnel {TunnelId} (port {Port}): no bytes either way for {IdleTimeout} (ERR_BURROW_3010)")]
        public static partial void IdleClosed(ILogger logger, string remoteAddress, string tunnelId, int port, TimeSpan idleTimeout);

        [LoggerMessage(EventId = 1405, EventName = "TcpTooManyConnections", Level = LogLevel.Warning, Message = "Refused TCP client {RemoteAddress} on tunnel {TunnelId} (port {Port}): the tunnel already holds its limit of {MaxConnections} connections (ERR_BURROW_3011)")]
        public static partial void TooManyConnections(ILogger logger, string remoteAddress, string tunnelId, int port, int maxConnections);
    }
}

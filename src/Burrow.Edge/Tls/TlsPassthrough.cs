using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using Burrow.Edge.Agents;
using Burrow.Edge.Certificates.OnDemand;
using Burrow.Edge.Forwarding;
using Burrow.Edge.Routing;
using Burrow.Edge.Tcp;
using Burrow.Mux.Errors;
using Burrow.Mux.Sessions;
using Burrow.Mux.Streams;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Pumping;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Tls;

/// <summary>
/// A connection middleware on the public HTTPS port, before TLS termination: it reads (without
/// consuming) the ClientHello, and when its SNI names a tls tunnel, pumps the raw bytes — the
/// ClientHello included — to that tunnel's agent, so the client talks TLS with the upstream itself.
/// A tls tunnel with <c>terminate_at: edge</c> gets the edge's TLS instead (<see cref="EdgeTlsTermination"/>), and
/// plaintext goes to the agent. Any other ClientHello goes on to the edge's own TLS (http tunnels, agents on ALPN burrow/1);
/// bytes that are not a ClientHello, or one not whole within the size and time bounds, close the connection.
/// </summary>
internal sealed partial class TlsPassthrough
{
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(5);

    private readonly TunnelRegistry _tunnels;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly EdgeTlsTermination _termination;
    private readonly AcmeChallengeResponder? _acme;

    private readonly Cluster.RemotePassthrough? _remote;

    public TlsPassthrough(
        TunnelRegistry tunnels, EdgeTlsTermination termination, ILogger<TlsPassthrough> logger, TimeProvider time, AcmeChallengeResponder? acme = null,
        Cluster.RemotePassthrough? remote = null)
    {
        _remote = remote;
        _acme = acme;
        _time = time;
        _termination = termination;
        _tunnels = tunnels;
        _logger = logger;
    }

    public ConnectionDelegate Wrap(ConnectionDelegate next) => connection => OnConnectedAsync(connection, next);

    private async Task OnConnectedAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        string? serverName = await PeekServerNameAsync(connection).ConfigureAwait(false);
        if (serverName is null)
        {
            return;
        }

        Tunnel? tunnel = serverName.Length > 0 ? _tunnels.FindByHost(serverName) : null;
        // A tls tunnel held on another node of the cluster: the raw bytes go there.
        if (tunnel is null && serverName.Length > 0 && _remote?.Find(serverName) is { } route)
        {
            await _remote.CarryAsync(connection, route, serverName).ConfigureAwait(false);
            return;
        }

        // The edge's own TLS-ALPN-01 validation goes to the edge's handshake even for a tls tunnel's name.
        if (tunnel is null || tunnel.Proto != TunnelProtocols.Tls || (_acme is not null && await _acme.IsValidationAsync(connection, serverName).ConfigureAwait(false)))
        {
            await next(connection).ConfigureAwait(false);
            return;
        }

        // A pooled name with members on other nodes too: the draw may carry this connection to one of them (the raw
        // bytes: a member that terminates TLS at the edge does its handshake on its own node).
        if (tunnel.Pooled && _remote is not null && _tunnels.FindPool(serverName) is { } pool
            && _remote.FindPoolShare(pool) is { } share)
        {
            await _remote.CarryAsync(connection, share, serverName).ConfigureAwait(false);
            return;
        }

        await PassThroughAsync(connection, tunnel, serverName).ConfigureAwait(false);
    }

    /// <summary>The SNI name ("" when none), or <see langword="null"/> when the connection was closed.</summary>
    private async Task<string?> PeekServerNameAsync(ConnectionContext connection)
    {
        PipeReader input = connection.Transport.Input;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        timeout.CancelAfter(HelloTimeout);
        try
        {
            while (true)
            {
                ReadResult read = await input.ReadAsync(timeout.Token).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = read.Buffer;
                ClientHelloStatus status = ClientHelloParser.TryParse(buffer, out string? name, out bool onlyAcmeTls);
                if (status == ClientHelloStatus.NeedMore && !read.IsCompleted && !read.IsCanceled && buffer.Length < ClientHelloParser.MaxBytes)
                {
                    // Nothing consumed, everything examined: the next read waits for more bytes.
                    input.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }

                // Nothing consumed: the edge's TLS or the agent reads the ClientHello again.
                input.AdvanceTo(buffer.Start);
                if (status != ClientHelloStatus.Complete)
                {
                    Log.NotAClientHello(_logger, connection.RemoteEndPoint);
                    connection.Abort();
                    return null;
                }

                if (onlyAcmeTls)
                {
                    // Read by the edge's handshake: Kestrel does not show the offered protocols.
                    connection.Items[AcmeChallengeResponder.OnlyAcmeTlsItem] = true;
                }

                return name ?? "";
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionResetException or InvalidOperationException)
        {
            Log.NotAClientHello(_logger, connection.RemoteEndPoint);
            connection.Abort();
            return null;
        }
    }

    private async Task PassThroughAsync(ConnectionContext connection, Tunnel tunnel, string serverName)
    {
        string remote = connection.RemoteEndPoint?.ToString() ?? "unknown";
        if (!tunnel.Policy.IsAddressAllowed((connection.RemoteEndPoint as IPEndPoint)?.Address))
        {
            Log.ClientDenied(_logger, remote, tunnel.Id, serverName);
            connection.Abort();
            return;
        }

        if (!await Policy.ConnectionPolicy.AllowsAsync(tunnel, connection.RemoteEndPoint, connection.LocalEndPoint, serverName, _logger).ConfigureAwait(false))
        {
            connection.Abort();
            return;
        }

        if (!tunnel.TryOpenConnection())
        {
            Log.TooManyConnections(_logger, remote, tunnel.Id, serverName, tunnel.MaxConnections);
            connection.Abort();
            return;
        }

        SslStream? tls = null;
        try
        {
            if (tunnel.TerminatesTls)
            {
                // Before the agent hears of the client: a refused handshake reaches neither it nor the upstream.
                (tls, ProtocolError? refused) = await _termination.AcceptAsync(connection, tunnel, serverName, remote).ConfigureAwait(false);
                if (tls is null)
                {
                    Log.Closed(_logger, remote, tunnel.Id, refused!.Code, refused.Message);
                    connection.Abort();
                    return;
                }
            }

            tunnel.Health.Started();
            await CarryAsync(connection, tunnel, serverName, remote, tls).ConfigureAwait(false);
        }
        finally
        {
            tunnel.Health.Ended();
            tunnel.CloseConnection();
            if (tls is not null)
            {
                await tls.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task CarryAsync(ConnectionContext connection, Tunnel tunnel, string serverName, string remote, SslStream? tls)
    {
        AgentLink? link = tunnel.Session.Link;
        if (link is null)
        {
            Log.Closed(_logger, remote, tunnel.Id, ErrorCodes.AgentSessionGone.Code, "the agent is disconnected");
            connection.Abort();
            return;
        }

        MultiplexedStream stream;
        try
        {
            var header = new ProxyHeader
            {
                TunnelId = tunnel.Id, ClientAddr = remote, ServerAddr = connection.LocalEndPoint?.ToString(), Proto = TunnelProtocols.Tls, Sni = serverName,
                Tls = tls is null ? null : EdgeTlsTermination.Describe(tls),
            };
            stream = await ProxyStreamOpener.OpenAsync(link, header, connection.ConnectionClosed).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or MuxException)
        {
            Log.Closed(_logger, remote, tunnel.Id, ErrorCodes.AgentSessionGone.Code, ex.Message);
            connection.Abort();
            return;
        }

        TimeSpan? idle = tunnel.IdleTimeout;
        TimeSpan idleFor = idle ?? TimeSpan.Zero;
        using IdleWatch? watch = IdleWatch.Start(_time, idle, () =>
        {
            Log.IdleClosed(_logger, remote, tunnel.Id, serverName, idleFor);
            stream.Abort();
            connection.Abort();
        });
        tunnel.Counters.AddConnection();
        // Kestrel's connection cannot half-close: when the upstream's side ends, the client's side is closed gracefully
        // (what was sent still arrives) and reading it stops, which the pump takes as that direction's end.
        PumpEnd client = tls is not null
            // TLS half-closes where TCP here cannot: close_notify ends the client's reading, and it may still send.
            ? new PumpEnd(tls, tls, () => new ValueTask(tls.ShutdownAsync()), connection.Abort)
            : new PumpEnd(
                connection.Transport.Input.AsStream(leaveOpen: true),
                connection.Transport.Output.AsStream(leaveOpen: true),
                async () =>
                {
                    await connection.Transport.Output.CompleteAsync().ConfigureAwait(false);
                    connection.Transport.Input.CancelPendingRead();
                },
                connection.Abort);
        var traffic = new Traffic.ConnectionTraffic(tunnel, "TLS", remote);
        try
        {
            await DuplexPump.RunAsync(
                client, TcpPump.StreamEnd(stream), new TunnelActivity(traffic.Counters, watch),
                link.AnswersProxyStreams ? () => ReadResultAsync(stream, remote, tunnel, connection.ConnectionClosed) : static () => Task.FromResult(true)).ConfigureAwait(false);
        }
        finally
        {
            traffic.Ended();
        }
    }

    private async Task<bool> ReadResultAsync(MultiplexedStream stream, string remote, Tunnel tunnel, CancellationToken cancellationToken)
    {
        try
        {
            if (await ProxyStreamOpener.ReadResultAsync(stream, ProxyStreamOpener.ResultTimeout, cancellationToken).ConfigureAwait(false) is not { } error)
            {
                return true;
            }

            Log.Closed(_logger, remote, tunnel.Id, error.Code, error.Message);
            // A pool member that could not reach its upstream gets no new connections for the recheck interval.
            if (tunnel.Pooled && tunnel.TakeOut() is { } until)
            {
                Log.MemberOut(_logger, tunnel.Id, tunnel.Hostname, until);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or TimeoutException or ProtocolException or ObjectDisposedException)
        {
            Log.Closed(_logger, remote, tunnel.Id, ErrorCodes.AgentSessionGone.Code, ex.Message);
        }

        return false;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1505, EventName = "TlsPoolMemberOut", Level = LogLevel.Warning, Message = "Pool member {TunnelId} of {ServerName} failed a connection; it gets no new ones until {Until:O}")]
        public static partial void MemberOut(ILogger logger, string tunnelId, string serverName, DateTimeOffset until);

        [LoggerMessage(EventId = 1500, EventName = "TlsNotAClientHello", Level = LogLevel.Debug, Message = "Closed {RemoteAddress} on the HTTPS port: no whole TLS ClientHello within the size and time bounds")]
        public static partial void NotAClientHello(ILogger logger, EndPoint? remoteAddress);

        [LoggerMessage(EventId = 1501, EventName = "TlsClientDenied", Level = LogLevel.Information, Message = "Refused TLS client {RemoteAddress} on tunnel {TunnelId} ({ServerName}): its address is not allowed (ERR_BURROW_3006)")]
        public static partial void ClientDenied(ILogger logger, string remoteAddress, string tunnelId, string serverName);

        [LoggerMessage(EventId = 1502, EventName = "TlsClientClosed", Level = LogLevel.Information, Message = "Closed TLS client {RemoteAddress} on tunnel {TunnelId}: {Code} {Reason}")]
        public static partial void Closed(ILogger logger, string remoteAddress, string tunnelId, string code, string reason);

        [LoggerMessage(EventId = 1503, EventName = "TlsIdleClosed", Level = LogLevel.Information, Message = "Closed TLS client {RemoteAddress} on tunnel {TunnelId} ({ServerName}): no bytes either way for {IdleTimeout} (ERR_BURROW_3010)")]
        public static partial void IdleClosed(ILogger logger, string remoteAddress, string tunnelId, string serverName, TimeSpan idleTimeout);

        [LoggerMessage(EventId = 1504, EventName = "TlsTooManyConnections", Level = LogLevel.Warning, Message = "Refused TLS client {RemoteAddress} on tunnel {TunnelId} ({ServerName}): the tunnel already holds its limit of {MaxConnections} connections (ERR_BURROW_3011)")]
        public static partial void TooManyConnections(ILogger logger, string remoteAddress, string tunnelId, string serverName, int maxConnections);
    }
}

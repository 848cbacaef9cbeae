using Burrow.Edge.Agents;
using Burrow.Edge.Forwarding;
using Burrow.Edge.Policy;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Validation;
using Yarp.ReverseProxy.Forwarder;

namespace Burrow.Edge.Routing;

/// <summary>
/// One bound endpoint served by an agent session, with its policy built once at bind time: a public
/// hostname (http), or a port of the edge (tcp, whose <see cref="Hostname"/> is its <c>tcp://</c> URL).
/// </summary>
internal sealed class Tunnel : Pooling.IPoolMember
{
    /// <summary>What the tunnel's upstream said about reusing connections (an HTTP/1.0 upstream closes after each response).</summary>
    public Burrow.Protocol.Http.UpstreamConnectionReuse UpstreamReuse { get; } = new();

    private int _openConnections;
    private readonly TimeSpan _recheckInterval;

    // Orders a swap of the pinned policy against the tunnel's removal; nothing else is taken while it is held.
    private readonly Lock _policyLock = new();
    private readonly TrafficPolicy? _agentPolicy;
    private TrafficPolicy? _pinnedPolicy;
    private TrafficPolicy? _trafficPolicy;
    private bool _policiesClosed;

    public Tunnel(string id, string hostname, AgentSession session, BindMessage bind, ValidatedEndpointOptions options, EdgeOptions edgeOptions)
    {
        Id = id;
        Hostname = hostname;
        Session = session;
        Counters = new TrafficCounters(session.Counters);
        CreatedAt = session.Time.GetUtcNow();
        Name = bind.TunnelName;
        Proto = bind.Proto;
        Pooled = bind.Pooling;
        _recheckInterval = edgeOptions.PoolRecheckInterval;
        ForwardsTo = bind.ForwardsTo;
        Options = options;
        // The handler's connection pool is keyed by host, so each tunnel gets its own pool.
        ConnectHost = ConnectHostFor(id);
        DestinationPrefix = $"http://{ConnectHost}/";
        Policy = new TunnelPolicy(options);
        MutualTls = options.MutualTlsCas is { } authorities ? new Tls.TunnelMutualTls(authorities) : null;
        // The smaller of the edge's and the tunnel's own value wins; the edge's zero means no timeout.
        TimeSpan? edgeIdle = edgeOptions.TcpIdleTimeout > TimeSpan.Zero ? edgeOptions.TcpIdleTimeout : null;
        IdleTimeout = (edgeIdle, options.IdleTimeout) switch
        {
            ({ } edge, { } own) => edge < own ? edge : own,
            (var edge, var own) => edge ?? own,
        };
        MaxConnections = Math.Min(edgeOptions.TcpMaxConnections, options.MaxConnections ?? int.MaxValue);
        Transformer = new TunnelTransformer(this);
        Traffic = new Traffic.TrafficLog(edgeOptions.TrafficLogSize);
        var version = options.UpstreamProtocol == UpstreamProtocols.Http2 ? System.Net.HttpVersion.Version20 : System.Net.HttpVersion.Version11;
        RequestConfig = new ForwarderRequestConfig
        {
            ActivityTimeout = edgeOptions.UpstreamTimeout,
            Version = version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            AllowResponseBuffering = false,
        };
        // WebSockets and event streams may idle for long; YARP's activity timeout would cut them.
        LongLivedRequestConfig = RequestConfig with { ActivityTimeout = TimeSpan.FromHours(24) };
    }

    public string Id { get; }

    /// <summary>The internal host the forwarder connects to for the tunnel with <paramref name="id"/>.</summary>
    public static string ConnectHostFor(string id) => id.Replace('_', '-').ToLowerInvariant() + ".tunnel";

    /// <summary>Traffic through this tunnel; adds to its session's too.</summary>
    public TrafficCounters Counters { get; }

    /// <summary>Client connections and requests of an http tunnel, as the agent is told them (<c>tunnel_stats</c>).</summary>
    public Stats.ClientStats Clients { get; } = new();

    public DateTimeOffset CreatedAt { get; }

    /// <summary>Its recent requests (http) or connections (tcp, tls), for the admin API and <c>burrow admin tail</c>.</summary>
    public Traffic.TrafficLog Traffic { get; }

    /// <summary>How long a tcp/tls connection may stay silent both ways; <see langword="null"/> for no limit.</summary>
    public TimeSpan? IdleTimeout { get; }

    /// <summary>Most connections carried at once (tcp/tls).</summary>
    public int MaxConnections { get; }

    /// <summary>Connections carried now (tcp/tls).</summary>
    public int OpenConnections => Volatile.Read(ref _openConnections);

    public string Hostname { get; }

    public string Name { get; }

    /// <summary>Whether it bound with pooling: it shares <see cref="Hostname"/> with the other agents that did.</summary>
    public bool Pooled { get; }

    /// <summary>As a pool member: out after a failure, and its traffic in flight.</summary>
    public Pooling.PoolMemberHealth Health { get; } = new();

    /// <inheritdoc />
    public int Outstanding => Health.Outstanding;

    /// <summary>
    /// Gives the member no new traffic for the edge's recheck interval (its upstream failed, or its agent is away);
    /// returns the time it is tried again, or <see langword="null"/> when it was out already (logged once).
    /// </summary>
    public DateTimeOffset? TakeOut()
    {
        DateTimeOffset now = Session.Time.GetUtcNow();
        DateTimeOffset until = now + _recheckInterval;
        return Health.TakeOut(now, until) ? until : null;
    }

    /// <inheritdoc />
    public bool IsAvailable(DateTimeOffset now) => Session.Link is not null && !Health.IsOut(now);

    /// <summary><c>http</c>, <c>tcp</c> or <c>tls</c>.</summary>
    public string Proto { get; }

    /// <summary>The public port's listener, for the tcp tunnel that opened it; its pool holds it from then on and closes it with its last member.</summary>
    public Tcp.TcpTunnelListener? TcpListener { get; set; }

    public string? ForwardsTo { get; }

    public AgentSession Session { get; }

    public ValidatedEndpointOptions Options { get; }

    public string ConnectHost { get; }

    public string DestinationPrefix { get; }

    public TunnelPolicy Policy { get; }

    /// <summary>The CAs whose client certificates the tunnel accepts; <see langword="null"/> when it asks for none.</summary>
    public Tls.TunnelMutualTls? MutualTls { get; }

    /// <summary>Whether the edge terminates the client's TLS of this tls tunnel (else it passes the bytes through).</summary>
    public bool TerminatesTls => Proto == TunnelProtocols.Tls && Options.TerminateTlsAtEdge;

    /// <summary>The agent's own traffic policy, compiled at bind time; <see langword="null"/> for none.</summary>
    public TrafficPolicy? AgentPolicy
    {
        get => _agentPolicy;
        init
        {
            _agentPolicy = value;
            _trafficPolicy = value;
        }
    }

    /// <summary>The text of the operator's policy pinned to this hostname or port, as stored; <see langword="null"/> for none.</summary>
    public string? PinnedPolicyText { get; private set; }

    /// <summary>
    /// What runs: the operator's pinned rules first, then the agent's, phase by phase; <see langword="null"/> for none.
    /// The operator may swap the pinned part while the tunnel lives, so a request reads this once and keeps what it read.
    /// </summary>
    public TrafficPolicy? TrafficPolicy => Volatile.Read(ref _trafficPolicy);

    /// <summary>
    /// Puts the operator's pinned policy (compiled from <paramref name="text"/>) in front of the agent's, in place of the
    /// one pinned before. Returns the policy that no longer runs, for the caller to dispose once the requests that
    /// started under it are done: the one replaced, or <paramref name="pinned"/> itself when the tunnel is already gone.
    /// </summary>
    public TrafficPolicy? Pin(TrafficPolicy? pinned, string? text)
    {
        lock (_policyLock)
        {
            if (_policiesClosed)
            {
                return pinned;
            }

            TrafficPolicy? replaced = _pinnedPolicy;
            _pinnedPolicy = pinned;
            PinnedPolicyText = pinned is null ? null : text;
            Volatile.Write(ref _trafficPolicy, TrafficPolicy.Combine(pinned, _agentPolicy));
            return replaced;
        }
    }

    /// <summary>Disposes both policies as the tunnel is removed (rate limiters hold timers); a later <see cref="Pin"/> applies nothing.</summary>
    public void ClosePolicies()
    {
        lock (_policyLock)
        {
            _policiesClosed = true;
            _pinnedPolicy?.Dispose();
            _agentPolicy?.Dispose();
        }
    }

    public TunnelTransformer Transformer { get; }

    public ForwarderRequestConfig RequestConfig { get; }

    public ForwarderRequestConfig LongLivedRequestConfig { get; }

    public IReadOnlyList<string> Urls { get; set; } = [];

    /// <summary>Counts a new connection in, or returns false (counting nothing) when the tunnel is at <see cref="MaxConnections"/>.</summary>
    public bool TryOpenConnection()
    {
        if (Interlocked.Increment(ref _openConnections) <= MaxConnections)
        {
            return true;
        }

        Interlocked.Decrement(ref _openConnections);
        return false;
    }

    /// <summary>Counts out a connection that <see cref="TryOpenConnection"/> let in, once it has ended.</summary>
    public void CloseConnection() => Interlocked.Decrement(ref _openConnections);

    /// <summary>The upstream as shown to people: what the agent forwards to, else the tunnel's hostname.</summary>
    public string UpstreamDisplay => string.IsNullOrEmpty(ForwardsTo) ? $"the upstream of {Hostname}" : ForwardsTo;
}

using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Burrow.Edge.Access;
using Burrow.Edge.Admin;
using Burrow.Edge.Agents;
using Burrow.Edge.Certificates;
using Burrow.Edge.Certificates.OnDemand;
using Burrow.Edge.Cluster;
using Burrow.Edge.Errors;
using Burrow.Edge.Forwarding;
using Burrow.Edge.Health;
using Burrow.Edge.Routing;
using Burrow.Edge.Stats;
using Burrow.Edge.Tls;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Validation;
using Burrow.Protocol.Versioning;
using Burrow.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge;

/// <summary>
/// A Burrow edge: the agent listener (TLS, ALPN <c>burrow/1</c>), public HTTP and HTTPS, and the
/// routing of every request by Host to the agent session that serves it.
/// </summary>
public sealed class EdgeServer : IAsyncDisposable
{
    /// <summary>The version the edge reports to agents: the build's, see <see cref="BurrowVersion"/>.</summary>
    public static string Version => BurrowVersion.Current;

    private readonly WebApplication _app;
    private readonly EdgeOptions _options;
    private readonly EdgeLifetime _lifetime;
    private readonly SessionRegistry _sessions;
    private readonly CertificateStore _certificates;
    private readonly AuthtokenSet _tokens;
    private readonly ControlPlane _controlPlane;
    private readonly List<(ListenOptions Listen, Action<IPEndPoint> Record)> _listens;
    private readonly Action<ILoggingBuilder>? _configureLogging;
    private OpenTelemetry.Metrics.MeterProvider? _meters;
    private OpenTelemetry.Trace.TracerProvider? _tracer;
    private AdminServer? _admin;
    private AgentListener? _agentListener;
    private AcmeCertificates? _acme;
    private OnDemandCertificates? _onDemand;
    private int _stopped;
    private readonly TaskCompletionSource _neverDrained = new();

    private EdgeServer(WebApplication app, EdgeOptions options, List<(ListenOptions Listen, Action<IPEndPoint> Record)> listens, Action<ILoggingBuilder>? configureLogging)
    {
        _app = app;
        _options = options;
        _listens = listens;
        _configureLogging = configureLogging;
        _lifetime = app.Services.GetRequiredService<EdgeLifetime>();
        _sessions = app.Services.GetRequiredService<SessionRegistry>();
        _certificates = app.Services.GetRequiredService<CertificateStore>();
        _tokens = app.Services.GetRequiredService<AuthtokenSet>();
        _controlPlane = app.Services.GetRequiredService<ControlPlane>();
        Endpoints = app.Services.GetRequiredService<EdgeEndpoints>();
    }

    /// <summary>The addresses the edge listens on; filled in by <see cref="StartAsync"/>.</summary>
    public EdgeEndpoints Endpoints { get; }

    /// <summary>The local CA certificate file, when the edge issues its own certificates; users trust it.</summary>
    public string? LocalCaPath => _certificates.Authority?.CertificatePath;

    /// <summary>The local CA certificate, when the edge issues its own certificates.</summary>
    public X509Certificate2? LocalCaCertificate => _certificates.Authority?.Certificate;

    /// <summary>Whether this start created the local CA.</summary>
    public bool LocalCaCreated => _certificates.Authority?.Created ?? false;

    /// <summary>Why this start replaced the local CA it found (users must trust the new one), or <see langword="null"/>.</summary>
    public string? LocalCaReplacedBecause => _certificates.Authority?.ReplacedBecause;

    /// <summary>The authtoken created on this first start (to print once), or <see langword="null"/>.</summary>
    public string? GeneratedAuthtoken => _tokens.GeneratedToken ?? _controlPlane.Bootstrap?.Authtoken;

    /// <summary>
    /// What this start created in an empty control store (first account, authtoken, API key), to
    /// print once; <see langword="null"/> otherwise. Filled in by <see cref="StartAsync"/>.
    /// </summary>
    public BootstrapCredentials? Bootstrap => _controlPlane.Bootstrap;

    /// <summary>The control store in use (after <see cref="StartAsync"/>), or <see langword="null"/> without one.</summary>
    public IControlStore? Store => _controlPlane.Store;

    /// <summary>Where the edge's own authtoken is kept, when it uses one.</summary>
    public string? AuthtokenPath => _tokens.GeneratedPath;

    /// <summary>The admin API key created on this first start (to print once), or <see langword="null"/>.</summary>
    public string? GeneratedApiKey => _controlPlane.Bootstrap?.ApiKey;

    /// <summary>How many stored authtokens an agent could still use (neither revoked nor expired); <see langword="null"/> without a store.</summary>
    public int? UsableAuthtokens => _controlPlane.UsableAuthtokens;

    /// <summary>The API key <see cref="EdgeOptions.CreateAdminApiKey"/> asked for on this start (to print once), or <see langword="null"/>.</summary>
    public string? NewApiKey => _controlPlane.NewApiKey;

    /// <summary>Where the first admin API key is kept, when the admin API is on.</summary>
    public string? ApiKeyPath => File.Exists(AdminKeyFile.PathIn(_options.DataDirectory)) ? AdminKeyFile.PathIn(_options.DataDirectory) : null;

    /// <summary>The ACME certificate's manager (DNS server, issuance, renewal), when <see cref="EdgeOptions.AcmeEmail"/> is set.</summary>
    internal AcmeCertificates? Acme => _acme;

    /// <summary>The certificates of reserved hostnames outside the wildcard, ordered on demand, when <see cref="EdgeOptions.AcmeEmail"/> is set.</summary>
    internal OnDemandCertificates? OnDemand => _onDemand;

    /// <summary>
    /// The cluster's node directory, listed to agents in <c>auth_result</c> so they open legs to other nodes; set
    /// before <see cref="StartAsync"/>, by the node registry when the edge is clustered (tests set an in-process one).
    /// <see langword="null"/> for a single edge.
    /// </summary>
    internal INodeDirectory? NodeDirectory
    {
        get => _app.Services.GetRequiredService<NodeAdvertisement>().Directory;
        set => _app.Services.GetRequiredService<NodeAdvertisement>().Directory = value;
    }

    /// <summary>One of the edge's services, for tests that look inside (a cluster node's routes).</summary>
    internal T Service<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>The base domain.</summary>
    public string Domain => _options.Domain;

    /// <summary>Builds an edge; nothing listens until <see cref="StartAsync"/>.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="configureLogging">Logging setup (providers, levels); none by default.</param>
    /// <param name="fixedAuthtoken">The only authtoken to accept, for an edge embedded in an agent; overrides <paramref name="options"/>.</param>
    public static EdgeServer Create(EdgeOptions options, Action<ILoggingBuilder>? configureLogging = null, string? fixedAuthtoken = null) =>
        Create(options, configureLogging, fixedAuthtoken, cluster: null);

    /// <summary>
    /// The cluster parts of a node started with <see cref="EdgeOptions.Cluster"/>: its own registry and links, once joined.
    /// None without PostgreSQL: joining then refuses the node with ERR_BURROW_5301, which says what to do.
    /// </summary>
    private static ClusterParts? PartsOf(EdgeOptions options, ClusterState state) =>
        options.Cluster is null || !Burrow.Storage.Routes.RouteTable.CanCarry(options.Database) ? null : new ClusterParts(state, state);

    /// <summary>
    /// Builds an edge that is a node of a cluster when <paramref name="cluster"/> is given (its node registry and node
    /// links): it follows the cluster's routes table and carries traffic for tunnels held on other nodes there.
    /// </summary>
    internal static EdgeServer Create(EdgeOptions options, Action<ILoggingBuilder>? configureLogging, string? fixedAuthtoken, ClusterParts? cluster)
    {
        ArgumentNullException.ThrowIfNull(options);
        options = options with
        {
            Domain = options.Domain.Trim().TrimEnd('.').ToLowerInvariant(),

            // An edge embedded in an agent works with zero setup: one token, no database.
            UseControlStore = options.UseControlStore && fixedAuthtoken is null,
        };
        if (!HostNames.IsValidHostname(options.Domain) && options.Domain != "localhost")
        {
            throw new ArgumentException($"'{options.Domain}' is not a valid base domain; give a DNS name such as tunnel.example.com.", nameof(options));
        }

        if (options.TcpIdleTimeout < TimeSpan.Zero || options.TcpIdleTimeout > EndpointOptionsValidator.MaxIdleTimeout)
        {
            throw new ArgumentException(ErrorCodes.InvalidIdleTimeout.ToError(options.TcpIdleTimeout, "it must be 0 (off) or a positive duration of at most 30 days").ToString(), nameof(options));
        }

        if (EndpointOptionsValidator.CheckMaxConnections(options.TcpMaxConnections) is { } maxError)
        {
            throw new ArgumentException(maxError.ToString(), nameof(options));
        }

        if ((options.AcmeEmail is not null || options.AcmeDnsUpdate is not null)
            && (AcmeCertificates.Validate(options) ?? OnDemandSettings.Validate(options)) is { } acmeError)
        {
            throw new ArgumentException(acmeError, nameof(options));
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "burrow-edge" });

        Burrow.Edge.Hosting.SignalFreeLifetime.Use(builder.Services);
        builder.Logging.ClearProviders();
        configureLogging?.Invoke(builder.Logging);
        ListenFailure.QuietHostStartFailures(builder.Logging);
        builder.WebHost.UseKestrelCore();
        // After Kestrel's own registration, so this one is what Kestrel's socket transport gets (the last one wins).
        builder.Services.AddSingleton<Microsoft.AspNetCore.Connections.IMemoryPoolFactory<byte>, Burrow.Edge.Hosting.ConnectionMemoryPoolFactory>();

        var time = TimeProvider.System;
        var certificates = CertificateStore.Create(options, time);
        var tokens = fixedAuthtoken is null ? AuthtokenSet.Load(options, generate: !options.UseControlStore) : AuthtokenSet.Of(fixedAuthtoken);
        var endpoints = new EdgeEndpoints();

        IServiceCollection services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(time);
        services.AddSingleton(certificates);
        services.AddSingleton(tokens);
        services.AddSingleton(endpoints);
        services.AddSingleton<EdgeLifetime>();
        services.AddSingleton<ControlPlane>();
        services.AddSingleton<AuditTrail>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditTrail>());
        services.AddSingleton<AgentAuthenticator>();
        services.AddSingleton<BindAccess>();
        services.AddSingleton<RevocationWatch>();
        services.AddHostedService(sp => sp.GetRequiredService<RevocationWatch>());
        services.AddSingleton<TunnelRegistry>();
        services.AddSingleton<SessionRegistry>();
        services.AddSingleton(sp => new Limits.SlidingWindowCounts(time, sp.GetRequiredService<ILogger<Limits.SlidingWindowCounts>>(), options));
        services.AddSingleton(sp => new Policy.PolicyServices(
            time, sp.GetRequiredService<ILoggerFactory>(), new HttpClient { Timeout = TimeSpan.FromSeconds(15) }, options.DataDirectory,
            counts: sp.GetRequiredService<Limits.SlidingWindowCounts>()));
        services.AddSingleton<PinnedPolicies>();
        services.AddSingleton<TunnelBinder>();
        services.AddSingleton<NodeAdvertisement>();
        services.AddSingleton<AgentConnectionHandler>();
        services.AddSingleton<Ngrok.NgrokConnectionHandler>();
        services.AddSingleton<AuthFailureLimiter>();
        services.AddSingleton<OpenConnections>();
        services.AddSingleton<ClientConnections>();
        if (options.AcmeEmail is not null)
        {
            services.AddSingleton<AcmeCertificates>();
            services.AddSingleton<AcmeChallengeResponder>();
            services.AddSingleton<OnDemandCertificates>();
            services.AddSingleton(sp => new CertificateRevocation(
                sp.GetRequiredService<AcmeCertificates>(), sp.GetService<OnDemandCertificates>(), sp.GetRequiredService<Access.ControlPlane>(), options));
        }

        // A node started by burrow server (options.Cluster) builds its routes over its own registry and links, which
        // answer once it has joined; tests give in-process ones instead.
        var clusterState = new ClusterState();
        services.AddSingleton(clusterState);
        services.AddSingleton<NodeLoad>();
        cluster ??= PartsOf(options, clusterState);
        if (cluster is not null)
        {
            ClusterParts.Register(services, cluster, options);
        }

        services.AddSingleton<HealthEndpoint>();
        services.AddSingleton<ProxyStreamConnector>();
        services.AddSingleton<TunnelRequestHandler>();
        services.AddSingleton<TlsPassthrough>();
        services.AddSingleton<HttpsHandshake>();
        services.AddSingleton<EdgeTlsTermination>();
        services.AddSingleton<Telemetry.EdgeMetrics>();
        services.AddHttpForwarder();
        services.Configure<HostOptions>(o => o.ShutdownTimeout = options.DrainTimeout + TimeSpan.FromSeconds(5));

        var listens = new List<(ListenOptions Listen, Action<IPEndPoint> Record)>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            ApplyLimits(kestrel.Limits, options);
            var agentHandler = kestrel.ApplicationServices.GetRequiredService<AgentConnectionHandler>();
            var counted = kestrel.ApplicationServices.GetRequiredService<OpenConnections>();
            var clients = kestrel.ApplicationServices.GetRequiredService<ClientConnections>();
            var handshake = kestrel.ApplicationServices.GetRequiredService<HttpsHandshake>();

            // The agent port is not Kestrel's: see AgentListener.
            if (options.HttpsEndPoint is { } https)
            {
                kestrel.Listen(https, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    listen.Use(counted.CountPublic);
                    // Before TLS termination: a ClientHello naming a tls tunnel is passed through raw.
                    listen.Use(kestrel.ApplicationServices.GetRequiredService<TlsPassthrough>().Wrap);
                    // The certificate by SNI; a client certificate asked for only by the names of tunnels with mutual TLS.
                    listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = handshake.OnConnectionAsync });
                    // Agents may share the HTTPS port: dispatch on the negotiated ALPN.
                    listen.Use(next => connection =>
                        connection.Features.Get<ITlsApplicationProtocolFeature>()?.ApplicationProtocol.Span.SequenceEqual("burrow/1"u8) == true
                            ? agentHandler.OnConnectedAsync(connection)
                            // A TLS-ALPN-01 validation ends with the handshake (RFC 8737 section 3).
                            : AcmeChallengeResponder.NegotiatedAcmeTls(connection) ? Task.CompletedTask
                            : next(connection));
                    // Last: only the connections that carry HTTP requests (not agents, not tls passthrough).
                    listen.Use(clients.Track);
                    listens.Add((listen, ep => endpoints.Https = ep));
                });
            }

            if (options.HttpEndPoint is { } http)
            {
                kestrel.Listen(http, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    listen.Use(counted.CountPublic);
                    listen.Use(clients.Track);
                    listens.Add((listen, ep => endpoints.Http = ep));
                });
            }

            if (cluster is not null)
            {
                // Where requests other nodes carry here are served, like public ones (see RelayListener).
                var relay = kestrel.ApplicationServices.GetRequiredService<RelayListener>();
                kestrel.Listen(IPAddress.Loopback, 0, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    listen.Use(relay.Wrap);
                    listen.Use(clients.Track);
                    listens.Add((listen, ep => relay.EndPoint = ep));
                });
            }

            if (options.HealthEndPoint is { } health)
            {
                kestrel.Listen(health, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    listen.Use(next => connection =>
                    {
                        connection.Items[HealthEndpoint.ConnectionItem] = true;
                        return next(connection);
                    });
                    listens.Add((listen, ep => endpoints.Health = ep));
                });
            }
        });

        var app = builder.Build();
        var handler = app.Services.GetRequiredService<TunnelRequestHandler>();
        var healthz = app.Services.GetRequiredService<HealthEndpoint>();
        var acmeAnswers = app.Services.GetService<AcmeChallengeResponder>();
        app.Run(context => context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(HealthEndpoint.ConnectionItem) == true
            ? healthz.HandleAsync(context)
            // HTTP-01 before any routing: the CA's GET never reaches a tunnel.
            : acmeAnswers?.TryAnswerHttp01(context) ?? handler.HandleAsync(context));
        return new EdgeServer(app, options, listens, configureLogging);
    }

    /// <summary>
    /// Kestrel's limits, set explicitly: the ones that keep slow or flooding clients from starving
    /// others come from the options; the body size limit is the handler's (it answers with a code).
    /// </summary>
    private static void ApplyLimits(KestrelServerLimits limits, EdgeOptions options)
    {
        limits.MaxRequestBodySize = null;
        limits.MinResponseDataRate = null;
        limits.MinRequestBodyDataRate = options.MinRequestBodyBytesPerSecond > 0
            ? new MinDataRate(options.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(5))
            : null;
        limits.RequestHeadersTimeout = options.RequestHeadersTimeout;
        limits.KeepAliveTimeout = options.KeepAliveTimeout;
        limits.MaxConcurrentConnections = options.MaxConnections;
        limits.MaxConcurrentUpgradedConnections = options.MaxConnections;
        // Twice the edge's own limits: up to there the handler answers 431 with ERR_BURROW_3013 and a
        // page; beyond, Kestrel refuses before any handler runs, and closes the connection.
        limits.MaxRequestHeadersTotalSize = checked(options.MaxRequestHeaderBytes * 2);
        limits.MaxRequestHeaderCount = checked(options.MaxRequestHeaderCount * 2);
    }

    /// <summary>Starts listening; <see cref="Endpoints"/> then holds the bound addresses.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        // The store first: no agent may connect before its tokens can be checked.
        await _controlPlane.OpenAsync(cancellationToken).ConfigureAwait(false);
        var services = _app.Services;
        _agentListener = AgentListener.Bind(
            _options.AgentEndPoint, services.GetRequiredService<AgentConnectionHandler>(), services.GetRequiredService<Ngrok.NgrokConnectionHandler>(), _certificates,
            services.GetRequiredService<OpenConnections>(), services.GetRequiredService<ILogger<AgentListener>>());
        try
        {
            // Before any listener serves: a node name held by a live node is refused here (ERR_BURROW_5302).
            await JoinClusterAsync(cancellationToken).ConfigureAwait(false);
            // Then, on a node of a cluster, the routes (the store's migrations created their table; the registry knows
            // the live nodes, so no live node's rows are taken for a dead one's).
            await ClusterParts.StartAsync(services, cancellationToken).ConfigureAwait(false);
            await StartListenersAsync(cancellationToken).ConfigureAwait(false);
            // Every listener is bound: only now may an empty store get its first secrets, which are printed once.
            await _controlPlane.BootstrapAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await UndoStartAsync().ConfigureAwait(false);
            throw;
        }

        if ((_controlPlane.Bootstrap?.ApiKey ?? _controlPlane.NewApiKey) is { } key)
        {
            AdminKeyFile.Write(_options.DataDirectory, key);
        }

        Endpoints.Agents = _agentListener.LocalEndPoint;
        _agentListener.Start();
        if (services.GetService<AcmeCertificates>() is { } acme)
        {
            // Last, once the edge serves: until the certificate is installed the local CA's is served.
            try
            {
                acme.Start();
            }
            catch
            {
                await UndoStartAsync().ConfigureAwait(false);
                throw;
            }

            _acme = acme;
            _onDemand = services.GetRequiredService<OnDemandCertificates>();
            _onDemand.Start();
        }

        foreach (var (listen, record) in _listens)
        {
            record(listen.IPEndPoint!);
        }
    }

    private async Task JoinClusterAsync(CancellationToken cancellationToken)
    {
        if (_options.Cluster is not { } cluster)
        {
            return;
        }

        var services = _app.Services;
        var state = services.GetRequiredService<ClusterState>();
        state.Membership = await ClusterMembership.JoinAsync(
            cluster, _controlPlane.Store, _agentListener!.LocalEndPoint.Port, services.GetRequiredService<NodeLoad>().ToJson,
            services.GetRequiredService<TimeProvider>(), services.GetRequiredService<ILoggerFactory>(), cancellationToken).ConfigureAwait(false);
        // Agents are told the cluster's nodes in auth_result, to open legs to them (unless a test set its own list).
        var advertisement = services.GetRequiredService<NodeAdvertisement>();
        advertisement.Directory ??= state;
        _lifetime.NodeName = cluster.NodeName;
    }

    /// <summary>This edge's cluster membership (registry, links), once started with <see cref="EdgeOptions.Cluster"/>.</summary>
    internal ClusterMembership? Cluster => _app.Services.GetRequiredService<ClusterState>().Membership;

    /// <summary>
    /// Completes when this node was drained by <c>burrow admin nodes drain</c> (from any node): the host then calls
    /// <see cref="StopAsync"/>, as on SIGTERM. Never completes on a single edge.
    /// </summary>
    public Task DrainRequested => Cluster?.Registry.DrainRequested ?? _neverDrained.Task;

    /// <summary>The node-link listener's address, when this edge is a node of a cluster.</summary>
    public IPEndPoint? NodeLinkEndPoint => Cluster?.Listener.LocalEndPoint;

    private async Task StartListenersAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (ListenFailure.FromKestrel(ex, PublicListeners()) is { } named)
        {
            throw named;
        }

        // The admin API needs the store: an edge embedded in an agent has none, and no admin listener.
        bool adminListener = _controlPlane.Store is not null && _options.AdminEndPoint is not null;
        // Metrics are collected only where someone can read them: the admin listener's /metrics, or an OTLP collector.
        if (_options.Metrics && (adminListener || Telemetry.EdgeTelemetry.OtlpConfigured))
        {
            _meters ??= Telemetry.EdgeTelemetry.Start();
        }

        _tracer ??= Telemetry.EdgeTelemetry.StartTracing();

        if (_controlPlane.Store is { } store && _options.AdminEndPoint is { } adminEndPoint)
        {
            _admin = AdminServer.Create(adminEndPoint, store, _sessions, _app.Services.GetRequiredService<PinnedPolicies>(), _app.Services.GetRequiredService<ClusterState>(), _options, _app.Services.GetRequiredService<TimeProvider>(), _meters, _configureLogging,
                _app.Services.GetService<CertificateRevocation>());
            try
            {
                await _admin.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex) when (ListenFailure.FromKestrel(ex, [new("admin listener", adminEndPoint, "--admin-addr")]) is { } named)
            {
                throw named;
            }

            Endpoints.Admin = _admin.EndPoint;
            AdminAddressFile.Write(_options.DataDirectory, _admin.EndPoint!);
        }
    }

    private IEnumerable<ListenFailure.Listener> PublicListeners()
    {
        if (_options.HttpsEndPoint is { } https)
        {
            yield return new("public HTTPS listener", https, "--https-addr");
        }

        if (_options.HttpEndPoint is { } http)
        {
            yield return new("public HTTP listener", http, "--http-addr");
        }

        if (_options.HealthEndPoint is { } health)
        {
            yield return new("health listener", health, "--health-addr");
        }
    }

    // A start that failed part way leaves nothing listening.
    private async Task UndoStartAsync()
    {
        if (_admin is not null)
        {
            await _admin.DisposeAsync().ConfigureAwait(false);
            _admin = null;
        }

        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        if (Cluster is { } cluster)
        {
            await cluster.LeaveAsync(CancellationToken.None).ConfigureAwait(false);
            await cluster.DisposeAsync().ConfigureAwait(false);
            _app.Services.GetRequiredService<ClusterState>().Membership = null;
        }

        if (_agentListener is not null)
        {
            await _agentListener.DisposeAsync().ConfigureAwait(false);
            _agentListener = null;
        }
    }

    /// <summary>
    /// Stops gracefully: tells agents the edge is draining, stops accepting, lets requests in flight
    /// finish within <see cref="EdgeOptions.DrainTimeout"/>, then closes the agent sessions.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        if (_admin is not null)
        {
            await _admin.StopAsync(cancellationToken).ConfigureAwait(false);
        }

        _lifetime.BeginDraining();
        // A node marks its row first: the other nodes stop listing it to agents before its agents look for another node.
        if (Cluster is { } draining)
        {
            await draining.Registry.MarkDrainingAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (AgentSession session in _sessions.All)
        {
            if (session.Link is { } link)
            {
                await link.TrySendAsync(_lifetime.DrainNotice, cancellationToken).ConfigureAwait(false);
            }
        }

        // A node keeps its listeners while its agents move (each opens a leg elsewhere, lets its requests here finish,
        // then closes this session): what lands here meanwhile is still served, here or by the node the tunnel moved to.
        if (Cluster is not null)
        {
            await WaitForAgentsToMoveAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_onDemand is not null)
        {
            await _onDemand.DisposeAsync().ConfigureAwait(false);
        }

        if (_acme is not null)
        {
            await _acme.DisposeAsync().ConfigureAwait(false);
        }

        // Like Kestrel's listeners, the tcp tunnels' ports stop accepting now.
        _app.Services.GetRequiredService<TunnelRegistry>().CloseTcpListeners();
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        drain.CancelAfter(_options.DrainTimeout);
        try
        {
            var agents = _agentListener?.StopAsync(drain.Token) ?? Task.CompletedTask;
            await _app.StopAsync(drain.Token).ConfigureAwait(false);
            await agents.ConfigureAwait(false);
        }
        finally
        {
            _lifetime.Stop();
        }

        // Last: the row goes when nothing is in flight here any more, and the other nodes see the node leave at once.
        if (Cluster is { } cluster)
        {
            await cluster.LeaveAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // Up to half the drain timeout: an agent that does not know notice: move is cut when the rest runs out.
    private async Task WaitForAgentsToMoveAsync(CancellationToken cancellationToken)
    {
        using var moving = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        moving.CancelAfter(_options.DrainTimeout / 2);
        try
        {
            while (_sessions.All.Any(s => s.Link is not null))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), moving.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The rest of the drain cuts what is left.
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_agentListener is not null)
        {
            await _agentListener.DisposeAsync().ConfigureAwait(false);
        }

        if (_admin is not null)
        {
            await _admin.DisposeAsync().ConfigureAwait(false);
        }

        if (Cluster is { } cluster)
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        _meters?.Dispose();
        _tracer?.Dispose();
        await _controlPlane.DisposeAsync().ConfigureAwait(false);
    }
}

using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Burrow.Agent.Events;
using Burrow.Agent.Tunnels;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Agent;

/// <summary>
/// A tunnel opened from a .NET program: an agent running inside the process, with one tunnel, online once the open
/// call returns and closed when disposed. Reconnects are the agent's own (the same URL comes back when the edge still
/// holds it); <see cref="EventRaised"/> tells of them.
/// </summary>
/// <example>
/// <code>
/// await using var tunnel = await BurrowTunnel.ForwardAsync(new Uri("http://localhost:5000"), options);
/// Console.WriteLine(tunnel.Url);
/// </code>
/// </example>
public sealed class BurrowTunnel : IAsyncDisposable
{
    private static readonly TimeSpan UnbindPatience = TimeSpan.FromSeconds(2);

    private readonly AgentRunner _runner;
    private readonly InProcessListener? _program;
    private readonly X509Certificate2? _loadedCa;
    private readonly string _serverAddress;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<Uri> _online = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _run = Task.CompletedTask;
    private string _lastHeard = "nothing yet";
    private ProtocolError? _failure;
    private volatile Uri? _url;
    private int _disposed;
    private int _unbound;

    private BurrowTunnel(AgentOptions options, InProcessListener? program, X509Certificate2? loadedCa, ILoggerFactory loggers)
    {
        _runner = new AgentRunner(options, loggers.CreateLogger<AgentRunner>());
        _program = program;
        _loadedCa = loadedCa;
        _serverAddress = options.ServerAddress;
        Name = options.Tunnels[0].Name;
        Protocol = options.Tunnels[0].Proto;
        _runner.EventRaised += OnEvent;
    }

    /// <summary>The public URL, e.g. <c>https://abc123.tunnel.example.com</c> or <c>tcp://tunnel.example.com:10022</c>. It can change after a reconnect the edge could not resume.</summary>
    public Uri Url => _url ?? throw new InvalidOperationException("The tunnel is not online yet.");

    /// <summary>The tunnel's name.</summary>
    public string Name { get; }

    /// <summary>The tunnel kind: <c>http</c>, <c>tcp</c> or <c>tls</c>.</summary>
    public string Protocol { get; }

    /// <summary>Where the agent's inspector and API listen when <see cref="BurrowTunnelOptions.WebAddress"/> is set, e.g. <c>http://127.0.0.1:4040</c>.</summary>
    public string? WebInterfaceUrl => _runner.WebInterfaceUrl;

    /// <summary>Where the agent's session stands, the link's latency, and the tunnel's URLs and counters.</summary>
    public Status.AgentStatus GetStatus() => _runner.GetStatus();

    /// <summary>
    /// Completes when the agent stops by itself (disposing does not complete it with an error): faulted with a
    /// <see cref="BurrowException"/> when the edge refused it for good, e.g. a revoked authtoken.
    /// </summary>
    public Task Completion => _completion.Task;

    /// <summary>
    /// Everything the agent reports (<see cref="ConnectionLost"/>, <see cref="Reconnecting"/>,
    /// <see cref="ReconnectedSameUrls"/>, <see cref="ReconnectedNewUrls"/>, <see cref="TunnelStarted"/>, ...), on the
    /// agent's threads.
    /// </summary>
    public event Action<AgentEvent>? EventRaised;

    /// <summary>Raised when the link to the edge is lost; the agent is already reconnecting.</summary>
    public event Action<ConnectionLost>? Disconnected;

    /// <summary>Raised when the link is back and the tunnel online again; <see cref="Url"/> holds its URL (changed only if the edge could not resume it).</summary>
    public event Action<BurrowTunnel>? Reconnected;

    /// <summary>
    /// Opens a tunnel to <paramref name="upstream"/>: <c>http://</c> or <c>https://host:port</c> for an http tunnel,
    /// <c>tcp://host:port</c> for a tcp tunnel, <c>tls://host:port</c> for a tls tunnel passed through to a TLS server.
    /// Returns once the edge has bound it.
    /// </summary>
    /// <param name="upstream">Where the tunnel's traffic goes.</param>
    /// <param name="options">The edge and the tunnel's settings.</param>
    /// <param name="loggerFactory">Where the agent logs; none by default.</param>
    /// <param name="cancellationToken">Gives up opening.</param>
    /// <exception cref="BurrowException">The edge refused the tunnel or it did not come online in time; see <see cref="BurrowException.Code"/>.</exception>
    public static Task<BurrowTunnel> ForwardAsync(Uri upstream, BurrowTunnelOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        ArgumentNullException.ThrowIfNull(options);
        (string proto, UpstreamTarget target) = ParseUpstream(upstream);
        return OpenAsync(options, proto, target, program: null, loggerFactory, cancellationToken);
    }

    /// <summary>
    /// Opens a tunnel whose connections the program serves itself, with no local port: take each with
    /// <see cref="AcceptAsync"/>. <see cref="BurrowTunnelOptions.Protocol"/> says which kind. ASP.NET apps use
    /// <c>UseBurrowTunnel</c>, which serves this tunnel with Kestrel.
    /// </summary>
    /// <param name="options">The edge and the tunnel's settings.</param>
    /// <param name="loggerFactory">Where the agent logs; none by default.</param>
    /// <param name="cancellationToken">Gives up opening.</param>
    /// <exception cref="BurrowException">The edge refused the tunnel or it did not come online in time.</exception>
    public static Task<BurrowTunnel> ListenAsync(BurrowTunnelOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        string proto = options.Protocol.ToLowerInvariant();
        if (proto is not (TunnelProtocols.Http or TunnelProtocols.Tcp or TunnelProtocols.Tls))
        {
            throw new ArgumentException($"'{options.Protocol}' is not a tunnel kind; use http, tcp or tls.", nameof(options));
        }

        return OpenAsync(options, proto, UpstreamTarget.InProcess, new InProcessListener(), loggerFactory, cancellationToken);
    }

    /// <summary>The next public client's connection of a tunnel opened with <see cref="ListenAsync"/>; <see langword="null"/> once the tunnel stopped accepting.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    public ValueTask<TunnelConnection?> AcceptAsync(CancellationToken cancellationToken = default) =>
        _program is null
            ? throw new InvalidOperationException("This tunnel forwards to an upstream; only a tunnel opened with ListenAsync hands over connections.")
            : _program.AcceptAsync(cancellationToken);

    /// <summary>
    /// Takes the tunnel off the edge: its URL stops taking new public connections at once (the edge answers 404), while
    /// connections already open run to their end. <see cref="DisposeAsync"/> does it first too.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for the edge (the tunnel then goes with the session).</param>
    public async Task UnbindAsync(CancellationToken cancellationToken = default)
    {
        _program?.Complete();
        if (Interlocked.Exchange(ref _unbound, 1) == 0)
        {
            await _runner.StopTunnelAsync(Name, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Closes the tunnel: unbinds it at the edge (so its URL is free at once), then disconnects the agent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_url is not null && !_run.IsCompleted)
        {
            // Bounded: an edge that does not answer must not hold up the program's shutdown.
            using var patience = new CancellationTokenSource(UnbindPatience);
            await UnbindAsync(patience.Token).ConfigureAwait(false);
        }

        _program?.Complete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
        _stop.Dispose();
        _loadedCa?.Dispose();
    }

    private static async Task<BurrowTunnel> OpenAsync(
        BurrowTunnelOptions options, string proto, UpstreamTarget target, InProcessListener? program, ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.ServerAddress))
        {
            throw new ArgumentException("BurrowTunnelOptions.ServerAddress is required: the edge's agent address, host:port.", nameof(options));
        }

        X509Certificate2? ca = options.EdgeCaPem is { Length: > 0 } pem ? X509Certificate2.CreateFromPem(pem)
            : options.EdgeCaPath is { Length: > 0 } path ? X509CertificateLoader.LoadCertificateFromFile(path)
            : null;
        var tunnel = new BurrowTunnel(AgentOptionsFor(options, proto, target, program, ca), program, ca, loggerFactory ?? NullLoggerFactory.Instance);
        try
        {
            tunnel.Start();
            await tunnel._online.Task.WaitAsync(options.StartTimeout, cancellationToken).ConfigureAwait(false);
            return tunnel;
        }
        catch (TimeoutException)
        {
            await tunnel.DisposeAsync().ConfigureAwait(false);
            throw new BurrowException(ErrorCodes.TunnelNotOnline.ToError(
                options.ServerAddress, string.Create(CultureInfo.InvariantCulture, $"{options.StartTimeout.TotalSeconds:0.#} s"), tunnel._lastHeard));
        }
        catch
        {
            await tunnel.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void Start()
    {
        CancellationToken stop = _stop.Token;
        _run = Task.Run(async () =>
        {
            try
            {
                int exit = await _runner.RunAsync(stop).ConfigureAwait(false);
                if (exit != 0 && !stop.IsCancellationRequested)
                {
                    // The agent gave up (a refused token, a setup problem retrying cannot mend): the events said why.
                    var failure = new BurrowException(_failure ?? ErrorCodes.TunnelNotOnline.ToError(_serverAddress, "its run", _lastHeard));
                    _online.TrySetException(failure);
                    _completion.TrySetException(failure);
                    return;
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                var failure = new BurrowException($"The agent stopped: {ex.Message}", ex);
                _online.TrySetException(failure);
                _completion.TrySetException(failure);
                return;
            }

            _online.TrySetCanceled(stop);
            _completion.TrySetResult();
        }, CancellationToken.None);
    }

    private void OnEvent(AgentEvent e)
    {
        switch (e)
        {
            case TunnelStarted started when started.TunnelName == Name && PreferredUrl() is { } url:
                // Raised once per URL (https and http), and again after a reconnect the edge could not resume.
                _url = url;
                _online.TrySetResult(url);
                break;
            case SessionRefused refused:
                _lastHeard = refused.Error.ToString();
                if (refused.GivingUp)
                {
                    _failure = refused.Error;
                }

                break;
            case EdgeSetupProblem problem:
                _lastHeard = problem.Error.ToString();
                if (problem.GivingUp)
                {
                    _failure = problem.Error;
                }

                break;
            case BindFailed failed when failed.TunnelName == Name:
                // The tunnel itself was refused (a taken name, a quota): opening fails with the edge's reason.
                _lastHeard = failed.Error.ToString();
                _failure = failed.Error;
                _online.TrySetException(new BurrowException(failed.Error));
                break;
            case CannotReachEdge unreachable:
                _lastHeard = unreachable.Reason;
                break;
            case ConnectionLost lost:
                _lastHeard = lost.Reason;
                Disconnected?.Invoke(lost);
                break;
            case ReconnectedSameUrls or ReconnectedNewUrls:
                Reconnected?.Invoke(this);
                break;
        }

        EventRaised?.Invoke(e);
    }

    // Of the URLs the edge bound, the https one when there is one (the http one serves too, or redirects).
    private Uri? PreferredUrl()
    {
        Uri? first = null;
        foreach (Status.TunnelStatus tunnel in _runner.GetStatus().Tunnels)
        {
            if (tunnel.Name != Name)
            {
                continue;
            }

            foreach (string candidate in tunnel.PublicUrls)
            {
                if (Uri.TryCreate(candidate, UriKind.Absolute, out Uri? url))
                {
                    if (url.Scheme == Uri.UriSchemeHttps)
                    {
                        return url;
                    }

                    first ??= url;
                }
            }
        }

        return first;
    }

    private static (string Proto, UpstreamTarget Target) ParseUpstream(Uri upstream)
    {
        if (!upstream.IsAbsoluteUri)
        {
            throw new ArgumentException($"'{upstream}' is not an absolute URL; use http://localhost:5000, tcp://localhost:5432 or tls://localhost:443.", nameof(upstream));
        }

        string host = upstream.IdnHost.Trim('[', ']');
        switch (upstream.Scheme)
        {
            case "http" or "https":
                if (upstream.AbsolutePath != "/" || upstream.Query.Length > 0)
                {
                    throw new ArgumentException($"'{upstream}' has a path; give only the scheme, host and port.", nameof(upstream));
                }

                return (TunnelProtocols.Http, new UpstreamTarget { Scheme = upstream.Scheme, Host = host, Port = upstream.Port });
            case "tcp" or "tls" when upstream.Port > 0:
                return (upstream.Scheme, new UpstreamTarget { Scheme = "tcp", Host = host, Port = upstream.Port });
            case "file" when Directory.Exists(upstream.LocalPath):
                return (TunnelProtocols.Http, new UpstreamTarget { Scheme = "file", Directory = Path.GetFullPath(upstream.LocalPath) });
            default:
                throw new ArgumentException(
                    $"'{upstream}' is not an upstream; use http(s)://host:port, tcp://host:port, tls://host:port or file:///existing/dir.", nameof(upstream));
        }
    }

    private static AgentOptions AgentOptionsFor(BurrowTunnelOptions options, string proto, UpstreamTarget target, InProcessListener? program, X509Certificate2? ca)
    {
        if (options.Legs is < 1 or > AgentOptions.MaxLegs)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Legs, $"Legs must be from 1 to {AgentOptions.MaxLegs} (or null for the default).");
        }

        (string? hostname, string? subdomain) = proto == TunnelProtocols.Tcp ? (null, null) : TunnelDefinition.SplitRequestedUrl(options.Url);
        int? remotePort = proto == TunnelProtocols.Tcp && Uri.TryCreate(options.Url, UriKind.Absolute, out Uri? asked) && asked.Port > 0 ? asked.Port : null;
        bool inspect = options.WebAddress is not null && proto == TunnelProtocols.Http && program is null;
        var definition = new TunnelDefinition
        {
            Name = options.Name,
            Proto = proto,
            Upstream = target,
            Hostname = hostname,
            Subdomain = subdomain,
            RemotePort = remotePort,
            UpstreamTlsVerify = options.UpstreamTlsVerify,
            Pooling = options.PoolingEnabled,
            InProcess = program,
            Options = new EndpointOptions(inspect)
            {
                BasicAuth = [.. options.BasicAuth],
                CidrAllow = [.. options.AllowCidrs],
                CidrDeny = [.. options.DenyCidrs],
            },
        };
        return new AgentOptions
        {
            ServerAddress = options.ServerAddress!,
            ServerName = options.ServerName,
            Authtoken = options.Authtoken ?? "",
            EdgeCa = ca,
            Tunnels = [definition],
            WebAddress = options.WebAddress,
            Metrics = options.WebAddress is not null,
            RetryForever = options.RetryForever,
            Legs = options.Legs,
        };
    }
}

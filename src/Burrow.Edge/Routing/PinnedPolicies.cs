using System.Globalization;
using Burrow.Edge.Access;
using Burrow.Edge.Policy;
using Burrow.Edge.Policy.Loading;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Storage;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Routing;

/// <summary>
/// The operator's traffic policies pinned to reserved hostnames and TCP ports: compiled when a tunnel binds the name or
/// port and run before the agent's rules, checked when the admin API stores one, and swapped into the live tunnel when
/// the operator sets, replaces or clears it (or releases the reservation), so a change applies at once, not at the next bind.
/// </summary>
/// <remarks>
/// A change is: store the text, bump <see cref="Version"/>, then swap the live tunnel. A bind reads <see cref="Version"/>
/// before it reads the reservation and again once its tunnel is in the registry; if it moved, the bind reads the store
/// again (<see cref="RefreshAsync"/>). Either the change saw the tunnel in the registry, or the bind sees the change: no
/// tunnel keeps a pin the operator replaced. Changes and refreshes take one gate, so the last swap is of the last text stored.
/// </remarks>
internal sealed partial class PinnedPolicies : IDisposable
{
    /// <summary>Put before the names of the operator's rules in messages: <c>operator:#1</c>, <c>operator:block-bots</c>.</summary>
    public const string RuleNamePrefix = "operator:";

    /// <summary>How long a replaced pinned policy is kept before it is disposed: requests that started under it may still run its actions.</summary>
    private static readonly TimeSpan RetireAfter = TimeSpan.FromMinutes(1);

    private readonly ControlPlane _plane;
    private readonly TunnelRegistry _tunnels;
    private readonly PolicyServices _services;
    private readonly EdgeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    // Serializes changes of pins and refreshes of binds that raced one; taken before a tunnel's policy lock, never inside it.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _version;

    public PinnedPolicies(ControlPlane plane, TunnelRegistry tunnels, PolicyServices services, EdgeOptions options, TimeProvider time, ILogger<PinnedPolicies> logger)
    {
        _plane = plane;
        _tunnels = tunnels;
        _services = services;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>The admin API's store (an edge without one has no admin API and no reservations).</summary>
    private IControlStore Store => _plane.Store ?? throw new InvalidOperationException("This edge has no control store.");

    /// <summary>Moves on every change of a pin; a bind compares it before and after (see the remarks).</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>The tcp tunnel's name of a port of this edge, as the registry keys it.</summary>
    public string TcpSubject(int port) => string.Create(CultureInfo.InvariantCulture, $"tcp://{_options.Domain}:{port}");

    /// <summary>Compiles a pinned document for a tunnel of <paramref name="proto"/>, its rules named as the operator's.</summary>
    public PolicyLoadResult Compile(string text, string proto)
    {
        PolicyLoadResult loaded = PolicyLoader.Load(text, proto, _services);
        return loaded.Policy is { } policy ? loaded with { Policy = policy.WithRuleNamePrefix(RuleNamePrefix) } : loaded;
    }

    /// <summary>The pinned policy a bind of <paramref name="subject"/> runs first, or the refusal when the stored text no longer compiles for it.</summary>
    public (TrafficPolicy? Policy, ProtocolError? Error) ForBind(string? text, string proto, string subject)
    {
        if (text is null)
        {
            return (null, null);
        }

        PolicyLoadResult loaded = Compile(text, proto);
        return loaded.Policy is { } policy ? (policy, null) : (null, BindRefusal(loaded, subject));
    }

    /// <summary>
    /// For a bind whose <see cref="Version"/> moved while it ran: pins what the store holds now for the tunnel's hostname
    /// or <paramref name="port"/>. Returns the refusal when that no longer compiles for the tunnel (the caller removes it).
    /// </summary>
    public async Task<ProtocolError?> RefreshAsync(Tunnel tunnel, int? port, CancellationToken cancellationToken)
    {
        if (_plane.Store is not { } store)
        {
            return null;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            string? text = port is { } p
                ? (await store.FindReservedTcpAddressAsync(p, cancellationToken).ConfigureAwait(false))?.TrafficPolicy
                : (await store.FindReservedDomainAsync(tunnel.Hostname, cancellationToken).ConfigureAwait(false))?.TrafficPolicy;
            if (text == tunnel.PinnedPolicyText)
            {
                return null;
            }

            (TrafficPolicy? policy, ProtocolError? error) = ForBind(text, tunnel.Proto, tunnel.Hostname);
            if (error is not null)
            {
                return error;
            }

            Retire(tunnel.Pin(policy, text));
            return null;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Pins <paramref name="text"/> to the reserved hostname with this id (or clears the pin with <see langword="null"/>): checked
    /// for the tunnel live on it (an http tunnel's when none is), stored, and swapped into that tunnel. Nothing is stored
    /// when the document has errors.
    /// </summary>
    public Task<PinOutcome<ReservedDomain>> PinDomainAsync(string id, string? text, CancellationToken cancellationToken) =>
        PinAsync(
            () => Store.GetReservedDomainAsync(id, cancellationToken),
            d => d.Hostname,
            TunnelProtocols.Http,
            // Not cancelled once under way: what is stored is then also what the live tunnel runs.
            () => Store.SetDomainTrafficPolicyAsync(id, text, CancellationToken.None),
            text,
            cancellationToken);

    /// <summary>As <see cref="PinDomainAsync"/>, for a reserved TCP port (checked as a tcp tunnel's: <c>on_tcp_connect</c> only).</summary>
    public Task<PinOutcome<ReservedTcpAddress>> PinAddressAsync(string id, string? text, CancellationToken cancellationToken) =>
        PinAsync(
            () => Store.GetReservedTcpAddressAsync(id, cancellationToken),
            a => TcpSubject(a.Port),
            TunnelProtocols.Tcp,
            () => Store.SetTcpAddressTrafficPolicyAsync(id, text, CancellationToken.None),
            text,
            cancellationToken);

    /// <summary>After a reservation was released: its pin went with it, so the tunnel live on <paramref name="subject"/> stops running it.</summary>
    public async Task ReleasedAsync(string subject)
    {
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            Interlocked.Increment(ref _version);
            if (_tunnels.FindByHost(subject) is { PinnedPolicyText: not null } live)
            {
                Retire(live.Pin(null, null));
                Log.PinSwapped(_logger, live.Id, subject, "released with its reservation");
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<PinOutcome<T>> PinAsync<T>(
        Func<Task<T?>> find, Func<T, string> subjectOf, string defaultProto, Func<Task<T?>> save, string? text, CancellationToken cancellationToken)
        where T : class
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        TrafficPolicy? compiled = null;
        try
        {
            if (await find().ConfigureAwait(false) is not { } reservation)
            {
                return new PinOutcome<T>(null, null);
            }

            string subject = subjectOf(reservation);
            // Checked for what is live: an http document pinned to the name of a live tls tunnel could not run there.
            string proto = _tunnels.FindByHost(subject)?.Proto ?? defaultProto;
            if (text is not null)
            {
                PolicyLoadResult loaded = Compile(text, proto);
                if (loaded.Policy is null)
                {
                    return new PinOutcome<T>(reservation, loaded.Errors) { CheckedFor = proto };
                }

                compiled = loaded.Policy;
            }

            if (await save().ConfigureAwait(false) is not { } saved)
            {
                return new PinOutcome<T>(null, null);
            }

            Interlocked.Increment(ref _version);
            // Looked up again once the version moved: a bind that added its tunnel before that is found here, a later one refreshes itself.
            if (_tunnels.FindByHost(subject) is { } live)
            {
                if (compiled is not null && live.Proto != proto)
                {
                    // A tunnel of another proto bound the name meanwhile (one lookup ago): compiled again for it.
                    compiled.Dispose();
                    compiled = Compile(text!, live.Proto).Policy;
                    if (compiled is null)
                    {
                        // Stored, but it cannot run on this tunnel: it keeps the pin it had, and its next bind is refused.
                        Log.PinNotApplied(_logger, live.Id, subject, live.Proto);
                        return new PinOutcome<T>(saved, null) { Previous = reservation };
                    }
                }

                Retire(live.Pin(compiled, text));
                compiled = null;
                Log.PinSwapped(_logger, live.Id, subject, text is null ? "cleared" : "set");
            }

            return new PinOutcome<T>(saved, null) { Previous = reservation };
        }
        finally
        {
            compiled?.Dispose();
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private void Retire(TrafficPolicy? replaced)
    {
        if (replaced is null)
        {
            return;
        }

        _ = Task.Delay(RetireAfter, _time).ContinueWith(
            static (_, state) => ((TrafficPolicy)state!).Dispose(), replaced, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>The refusal of a bind whose reservation's pinned document does not compile for it: the agent cannot fix it, the operator can.</summary>
    private static ProtocolError BindRefusal(PolicyLoadResult loaded, string subject)
    {
        PolicyError first = loaded.Errors[0];
        string more = loaded.Errors.Count > 1 ? $" (and {loaded.Errors.Count - 1} more)" : "";
        return ErrorCodes.TrafficPolicyInvalid.ToError(
            $"{first.Where} of the policy the edge's operator pinned to {subject}",
            $"{first.Message}{more}; only the operator can change it (burrow admin domain policy, or address policy)");
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1203, EventName = "PinnedPolicySwapped", Level = LogLevel.Information, Message = "Tunnel {TunnelId} ({Subject}): the operator's pinned traffic policy was {Change}; it applies from the next request")]
        public static partial void PinSwapped(ILogger logger, string tunnelId, string subject, string change);

        [LoggerMessage(EventId = 1204, EventName = "PinnedPolicyNotApplied", Level = LogLevel.Warning, Message = "Tunnel {TunnelId} ({Subject}) bound as {Proto} while its pinned traffic policy changed, and the new one cannot run on a {Proto} tunnel: it keeps the previous one until it binds again, which will be refused")]
        public static partial void PinNotApplied(ILogger logger, string tunnelId, string subject, string proto);
    }
}

/// <summary>What pinning a document to a reservation came to: the reservation as stored, or the document's errors, or neither (no such reservation).</summary>
internal sealed record PinOutcome<T>(T? Reservation, IReadOnlyList<PolicyError>? Errors)
    where T : class
{
    /// <summary>The reservation as it was before the change.</summary>
    public T? Previous { get; init; }

    /// <summary>The proto the document was checked for: the live tunnel's, else http for a hostname and tcp for a port.</summary>
    public string? CheckedFor { get; init; }
}

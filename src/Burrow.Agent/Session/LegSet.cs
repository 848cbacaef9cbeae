using Burrow.Agent.Events;
using Burrow.Agent.Inspection;
using Burrow.Agent.Status;
using Burrow.Mux.Sessions;
using Burrow.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Burrow.Agent.Session;

/// <summary>
/// The legs of the agent's session (issue 15): the first leg, the <see cref="SessionLoop"/> to the edge the agent was
/// given, which picks the URLs; and, when that edge is a cluster, one <see cref="ExtraLeg"/> per further node up to
/// <see cref="AgentOptions.Legs"/>, each with every tunnel bound under the same URL. A lost leg leaves the others
/// carrying the traffic and comes back by itself with backoff; the tunnels stay listed once.
/// </summary>
/// <remarks>
/// Legs are added when the first leg comes online and its edge lists nodes: a node that drops out of the list is most
/// likely down for a moment, and its leg keeps retrying it rather than being forgotten. The exceptions: a leg to the
/// node the first leg itself landed on, which would carry nothing new; and a leg whose node is draining
/// (<c>notice: move</c>): a leg on another node of the latest list is opened and online first, then it is let go (see
/// <c>LegSet.Moves.cs</c>). <see cref="_lock"/> guards the list and is taken alone.
/// </remarks>
internal sealed partial class LegSet
{
    private readonly SessionLoop _first;
    private readonly AgentOptions _options;
    private readonly TunnelTable _tunnels;
    private readonly AgentEventSource _events;
    private readonly ILogger _logger;
    private readonly MuxCounters? _muxCounters;
    private readonly Lock _lock = new();
    private readonly List<ExtraLeg> _extra = [];
    private readonly List<Task> _stopping = [];
    private readonly HashSet<string> _draining = new(StringComparer.Ordinal);
    private IReadOnlyList<EdgeNode> _offered = [];
    private HttpInspector? _inspector;
    private bool _stopped;

    public LegSet(SessionLoop first, AgentOptions options, TunnelTable tunnels, AgentEventSource events, ILogger logger, MuxCounters? muxCounters)
    {
        _first = first;
        _options = options;
        _tunnels = tunnels;
        _events = events;
        _logger = logger;
        _muxCounters = muxCounters;
        first.Online += AddLegs;
        first.MoveRequested += () => _ = MoveFirstLegAsync();
    }

    /// <summary>Whether any leg is online, so traffic flows even while the first leg reconnects.</summary>
    public bool AnyOnline => _first.Status == SessionStatus.Online || Extra().Any(l => l.Live is not null);

    /// <summary>Every leg, the first one first.</summary>
    public IReadOnlyList<LegStatus> Status()
    {
        var legs = new List<LegStatus> { new(0, _first.NodeName, _first.Address, _first.Status, _first.Latency, _first.Reason) };
        legs.AddRange(Extra().Select(l => l.Status()).OrderBy(l => l.Number));
        return legs;
    }

    /// <summary>Runs the first leg (and with it the others) until cancelled or a permanent error; returns the exit code.</summary>
    public async Task<int> RunAsync(HttpInspector? inspector, CancellationToken cancellationToken)
    {
        _inspector = inspector;
        try
        {
            return await _first.RunAsync(inspector, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ExtraLeg[] legs;
            lock (_lock)
            {
                _stopped = true;
                legs = [.. _extra];
                _extra.Clear();
                _stopping.AddRange(legs.Select(l => l.DisposeAsync().AsTask()));
            }

            await Task.WhenAll(_stopping).ConfigureAwait(false);
        }
    }

    /// <summary>Binds a tunnel the first leg just bound (through the agent API) on every other leg online.</summary>
    public Task BindOnExtraLegsAsync(ActiveTunnel tunnel, CancellationToken cancellationToken) =>
        Task.WhenAll(Extra().Select(l => l.BindAsync(tunnel, cancellationToken)));

    /// <summary>Unbinds a stopped tunnel on every other leg.</summary>
    public Task UnbindOnExtraLegsAsync(string name, CancellationToken cancellationToken) =>
        Task.WhenAll(Extra().Select(l => l.UnbindAsync(name, cancellationToken)));

    private ExtraLeg[] Extra()
    {
        lock (_lock)
        {
            return [.. _extra];
        }
    }

    // Called by the first leg each time it is online, with the nodes its edge listed (null from a single edge).
    private void AddLegs(IReadOnlyList<EdgeNode>? offered)
    {
        if (offered is null)
        {
            return;
        }

        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }

            // A node that told a leg to move is draining: an older list may still name it.
            offered = [offered[0], .. offered.Skip(1).Where(n => !_draining.Contains(n.Name))];
            _offered = offered;
            IReadOnlyList<EdgeNode> planned = LegPlan.ExtraLegs(offered, _first.Address, _options.Legs);

            // The first leg may have landed on a node an extra leg holds (an address behind DNS round robin).
            // (Or moved there off a draining node: the requests that leg carries finish first.)
            foreach (ExtraLeg same in _extra.Where(l => l.Node.Name == offered[0].Name).ToList())
            {
                _extra.Remove(same);
                _stopping.Add(same.LetGoAsync(InFlightWait));
            }

            foreach (EdgeNode node in planned)
            {
                if (_extra.Count >= planned.Count || _extra.Exists(l => l.Node.Name == node.Name))
                {
                    continue;
                }

                int number = Enumerable.Range(1, AgentOptions.MaxLegs).First(n => !_extra.Exists(l => l.Number == n));
                StartLeg(number, node);
            }
        }
    }

    // Under _lock.
    private ExtraLeg StartLeg(int number, EdgeNode node)
    {
        var leg = new ExtraLeg(number, node, _options, _tunnels, _events, _first.AgentId, _logger, _muxCounters, l => _ = MoveExtraLegAsync(l));
        _extra.Add(leg);
        leg.Start(_inspector);
        return leg;
    }
}

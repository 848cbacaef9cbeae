using Burrow.Agent.Events;
using Burrow.Agent.Tunnels;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;

namespace Burrow.Agent.Session;

/// <summary>
/// Puts the agent's tunnels online on a new connection: takes them back as they were when the edge resumed the
/// session, else binds each one, asking for the hostname or port it had so URLs survive restarts of agent and edge.
/// </summary>
internal sealed class TunnelBinder
{
    private readonly TunnelTable _tunnels;
    private readonly string? _statePath;
    private readonly AgentEventSource _events;

    public TunnelBinder(TunnelTable tunnels, string? statePath, AgentEventSource events)
    {
        _tunnels = tunnels;
        _statePath = statePath;
        _events = events;
    }

    /// <summary>
    /// On a resumed session, gives every tunnel not yet bound in this process the id and URLs <paramref name="state"/>
    /// remembers; returns those tunnels, or <see langword="null"/> when one has nothing remembered (then bind them all).
    /// </summary>
    public List<ActiveTunnel>? TryRestore(SessionState state)
    {
        var restored = new List<ActiveTunnel>();
        foreach (ActiveTunnel tunnel in _tunnels.Snapshot())
        {
            if (tunnel.TunnelId is null)
            {
                if (!state.Tunnels.TryGetValue(tunnel.Definition.Name, out RememberedTunnel? remembered) || remembered.TunnelId.Length == 0)
                {
                    return null;
                }

                _tunnels.Bind(tunnel, remembered.TunnelId);
                tunnel.Urls = remembered.Urls;
                restored.Add(tunnel);
            }
        }

        return restored;
    }

    /// <summary>Says the session was resumed, then the URLs of the tunnels <see cref="TryRestore"/> took back from the saved state.</summary>
    public void AnnounceResumed(List<ActiveTunnel> restored, bool everOnline)
    {
        _events.Raise(new SessionResumed(AfterReconnect: everOnline));
        // Raised after the event above, so that whoever waits for the URLs has seen why they are the same.
        foreach (ActiveTunnel tunnel in restored)
        {
            _events.TunnelStarted(tunnel);
        }
    }

    /// <summary>
    /// Binds every tunnel and remembers what the edge gave each one; returns <see langword="null"/> when all are online,
    /// or the exit code 1 when the edge refused one for good. Throws <see cref="IOException"/> for a refusal that a
    /// reconnect may cure, so the session loop backs off and tries again.
    /// </summary>
    public async Task<int?> BindAllAsync(ControlChannel channel, SessionState state, bool everOnline, bool edgeServesTls, CancellationToken cancellationToken)
    {
        foreach (ActiveTunnel tunnel in _tunnels.Snapshot())
        {
            TunnelDefinition definition = tunnel.Definition;
            if (!edgeServesTls && NeedsEdgeTls(definition.Options) is { } option)
            {
                // An older edge would skip the field as unknown and serve the tunnel without the client certificates it asks for.
                _events.Raise(new BindFailed(definition.Name, ErrorCodes.OptionNotServed.ToError(option.What, option.Field)));
                return 1;
            }

            state.Tunnels.TryGetValue(definition.Name, out RememberedTunnel? remembered);
            // A tunnel with no name of its own asks for the one it had, so URLs survive restarts of agent and edge.
            bool tcp = definition.Proto == TunnelProtocols.Tcp;
            string? hostname = tcp ? null : definition.Hostname ?? (definition.NameRequested ? null : remembered?.Hostname);
            // A tcp tunnel likewise asks for the port it had.
            int? port = !tcp ? null : definition.RemotePort ?? (remembered?.Urls is [{ } firstUrl, ..] && Uri.TryCreate(firstUrl, UriKind.Absolute, out Uri? rememberedUrl) ? rememberedUrl.Port : null);
            BindResultMessage result = await channel.BindAsync(tunnel, hostname, definition.Subdomain, port, cancellationToken).ConfigureAwait(false);
            if (result.Error is not null && !definition.NameRequested && (hostname is not null || port is not null) && RememberedNameUnavailable(result.Error))
            {
                // The remembered name or port cannot be had any more (taken, reserved, not allowed): a tunnel that asked for none takes any.
                result = await channel.BindAsync(tunnel, null, null, null, cancellationToken).ConfigureAwait(false);
            }

            if (result.Error is { } error)
            {
                _events.Raise(new BindFailed(definition.Name, error));
                if (ErrorCodes.EdgeDraining.Matches(error) || ErrorCodes.NodeDraining.Matches(error))
                {
                    throw new IOException("the edge is draining");
                }

                if (ErrorCodes.StoreUnavailable.Matches(error))
                {
                    // The edge's database is away for a moment: reconnect and try again, with backoff.
                    throw new IOException("the edge's control store is unavailable");
                }

                // A bad option or a taken name will not fix itself: stop rather than retry forever.
                return 1;
            }

            bool changed = !tunnel.Urls.SequenceEqual(result.Urls ?? []);
            _tunnels.Bind(tunnel, result.TunnelId!);
            tunnel.Urls = result.Urls ?? [];
            string boundHost = tunnel.Urls.Count > 0 && Uri.TryCreate(tunnel.Urls[0], UriKind.Absolute, out Uri? url) ? url.Host : "";
            state.Tunnels[definition.Name] = new RememberedTunnel { TunnelId = result.TunnelId!, Hostname = boundHost, Urls = [.. tunnel.Urls] };
            if (changed || !everOnline)
            {
                if (everOnline)
                {
                    _events.Raise(new ReconnectedNewUrls(definition.Name));
                }

                _events.TunnelStarted(tunnel);
            }
            else
            {
                _events.Raise(new ReconnectedSameUrls(definition.Name));
            }
        }

        state.Save(_statePath);
        return null;
    }

    private static (string What, string Field)? NeedsEdgeTls(EndpointOptions options) =>
        options.MutualTlsCas is not null ? ("mutual TLS", "mutual_tls_cas")
        : options.TerminateAt == TlsTerminations.Edge ? ("TLS termination at the edge", "terminate_at")
        : null;

    private static bool RememberedNameUnavailable(ProtocolError error) =>
        ErrorCodes.HostnameTaken.Matches(error) || ErrorCodes.HostnameNotAllowed.Matches(error) || ErrorCodes.TcpPortUnavailable.Matches(error)
        || ErrorCodes.HostnameReserved.Matches(error) || ErrorCodes.TcpPortReserved.Matches(error);
}

using System.Collections.Concurrent;
using System.Globalization;
using Burrow.Agent.Events;
using Burrow.Mux.Streams;
using Burrow.Protocol.Codec;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Versioning;

namespace Burrow.Agent.Session;

/// <summary>
/// The control stream of one connection to the edge: <c>auth</c> first, then binds and unbinds out, and in their
/// answers (each bind result to the bind waiting for it, by request id), notices and <c>tunnel_stats</c>, until the
/// session ends. One per connection; the session loop makes a new one on every reconnect.
/// </summary>
internal sealed class ControlChannel : IDisposable
{
    private static readonly TimeSpan AuthTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan BindTimeout = TimeSpan.FromSeconds(15);

    private readonly ControlMessageReader _reader;
    private readonly ControlMessageWriter _writer;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<BindResultMessage>> _pendingBinds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _pendingUnbinds = new(StringComparer.Ordinal);
    private readonly TunnelTable _tunnels;
    private readonly AgentEventSource _events;
    private readonly Func<ActiveTunnel, Burrow.Agent.Metrics.EdgeClientCounts> _countsOf;
    private int _nextRequestId;

    /// <param name="control">The first stream the agent opened on the connection.</param>
    /// <param name="tunnels">Where <c>tunnel_stats</c> find their tunnel.</param>
    /// <param name="events">Where notices go.</param>
    /// <param name="sessionToken">Cancelled when this connection's session ends.</param>
    /// <param name="countsOf">
    /// Where a tunnel's <c>tunnel_stats</c> from this edge are turned into counts: each leg keeps its own, since every
    /// edge counts from zero; by default the tunnel's own (the first leg's).
    /// </param>
    public ControlChannel(MuxStream control, TunnelTable tunnels, AgentEventSource events, CancellationToken sessionToken, Func<ActiveTunnel, Burrow.Agent.Metrics.EdgeClientCounts>? countsOf = null)
    {
        _countsOf = countsOf ?? (t => t.EdgeCounts);
        _reader = new ControlMessageReader(control);
        _writer = new ControlMessageWriter(control);
        _tunnels = tunnels;
        _events = events;
        SessionToken = sessionToken;
    }

    /// <summary>
    /// Raised (on the read loop) when the edge says <c>notice: move</c>: its cluster node is draining, and the leg
    /// should be opened on another node before this one is let go.
    /// </summary>
    public event Action? MoveRequested;

    /// <summary>Cancelled when this connection's session ends; work started on the channel from outside links to it.</summary>
    public CancellationToken SessionToken { get; }

    /// <summary>Sends <c>auth</c> (asking to resume <paramref name="resumeSessionId"/> when there is one) and returns the edge's answer, which may be a refusal.</summary>
    /// <param name="authtoken">The agent's token.</param>
    /// <param name="resumeSessionId">The session to resume, or <see langword="null"/>.</param>
    /// <param name="agentId">The agent process's id, the same on every leg (<see cref="AuthMessage.AgentId"/>).</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public async Task<AuthResultMessage> AuthenticateAsync(string authtoken, string? resumeSessionId, string? agentId, CancellationToken cancellationToken)
    {
        await _writer.WriteAsync(new AuthMessage
        {
            ProtocolVersion = BurrowProtocol.CurrentVersion,
            Authtoken = authtoken,
            Agent = new AgentInfo { Name = "burrow", Version = BurrowVersion.Current, Os = OperatingSystemName() },
            ResumeSessionId = resumeSessionId,
            AgentId = agentId,
            Features = ProtocolFeatures.All,
        }, cancellationToken).ConfigureAwait(false);

        ControlMessage? first = await _reader.ReadAsync(cancellationToken).AsTask().WaitAsync(AuthTimeout, cancellationToken).ConfigureAwait(false);
        return first as AuthResultMessage
            ?? throw new IOException(first is null ? "the edge closed the connection during authentication" : $"the edge answered auth with '{first.Type}'");
    }

    /// <summary>Reads what the edge sends until the session ends; then fails every bind still waiting for its answer.</summary>
    public async Task ReadLoopAsync()
    {
        try
        {
            while (await _reader.ReadAsync(SessionToken).ConfigureAwait(false) is { } message)
            {
                switch (message)
                {
                    case BindResultMessage result when _pendingBinds.TryGetValue(result.RequestId, out var answer):
                        answer.TrySetResult(result);
                        break;
                    case UnbindResultMessage unbound when _pendingUnbinds.TryGetValue(unbound.TunnelId, out var done):
                        done.TrySetResult();
                        break;
                    case NoticeMessage notice:
                        _events.Raise(new EdgeNotice(notice.Kind, notice.Message, notice.TunnelId, notice.Error));
                        if (notice.Kind == NoticeKinds.Move)
                        {
                            MoveRequested?.Invoke();
                        }

                        break;
                    case TunnelStatsMessage stats when _tunnels.FindById(stats.TunnelId) is { } tunnel:
                        // Client connections and requests of http tunnels, as the edge counts them.
                        _countsOf(tunnel).Apply(stats, tunnel.Connections, tunnel.Requests);
                        break;
                    default:
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ProtocolException or InvalidOperationException)
        {
            // The session is ending; the session loop reports why.
        }
        finally
        {
            foreach (var answer in _pendingBinds.Values)
            {
                answer.TrySetException(new IOException("the connection to the edge ended before the bind was answered"));
            }

            foreach (var done in _pendingUnbinds.Values)
            {
                // The session is gone, and the tunnel with it.
                done.TrySetResult();
            }
        }
    }

    /// <summary>Asks the edge to bind <paramref name="tunnel"/> and waits for its answer (a refusal comes back in it, not as an exception).</summary>
    public async Task<BindResultMessage> BindAsync(ActiveTunnel tunnel, string? hostname, string? subdomain, int? remotePort, CancellationToken cancellationToken)
    {
        string requestId = Interlocked.Increment(ref _nextRequestId).ToString(CultureInfo.InvariantCulture);
        var answer = new TaskCompletionSource<BindResultMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pendingBinds[requestId] = answer;
        await _writer.WriteAsync(new BindMessage
        {
            RequestId = requestId,
            TunnelName = tunnel.Definition.Name,
            Proto = tunnel.Definition.Proto,
            Hostname = hostname,
            RemotePort = remotePort,
            Subdomain = hostname is null ? subdomain : null,
            ForwardsTo = tunnel.Display,
            Pooling = tunnel.Definition.Pooling,
            Options = tunnel.Definition.Options,
        }, cancellationToken).ConfigureAwait(false);
        try
        {
            return await answer.Task.WaitAsync(BindTimeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pendingBinds.TryRemove(requestId, out _);
        }
    }

    /// <summary>
    /// Tells the edge to drop the tunnel it bound as <paramref name="tunnelId"/>, and waits for its answer: once this
    /// returns, the edge sends the tunnel no new public connection (its URL answers 404).
    /// </summary>
    public async Task UnbindAsync(string tunnelId, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pendingUnbinds[tunnelId] = done;
        try
        {
            await _writer.WriteAsync(new UnbindMessage { TunnelId = tunnelId }, cancellationToken).ConfigureAwait(false);
            await done.Task.WaitAsync(BindTimeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pendingUnbinds.TryRemove(tunnelId, out _);
        }
    }

    public void Dispose() => _writer.Dispose();

    private static string OperatingSystemName() =>
        OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "macos" : OperatingSystem.IsWindows() ? "windows" : "other";
}

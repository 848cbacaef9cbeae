using System.Collections.Concurrent;
using Burrow.Agent.Inspection;
using Burrow.Agent.Session;
using Burrow.Agent.Status;
using Burrow.Agent.Tunnels;
using Burrow.Agent.Web;
using Burrow.Protocol.Codec;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;

namespace Burrow.Agent;

// The inspector (HTTP capture), the web interface and agent API, and tunnels started or stopped while online.
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable",
    Justification = "The inspector lives from StartWebAsync to StopWebAsync, which disposes it; the runner itself ends when RunAsync returns.")]
public sealed partial class AgentRunner
{
    private HttpInspector? _inspector;
    private WebServer? _web;
    private volatile LiveSession? _live;
    private string? _runningRecord;

    /// <summary>The captured requests, once the inspector runs.</summary>
    internal CaptureStore? Captures => _inspector?.Store;

    internal HttpInspector? Inspector => _inspector;

    internal ActiveTunnel[] TunnelsSnapshot() => _tunnels.Snapshot();

    internal ActiveTunnel? FindTunnel(string name) => _tunnels.Find(name);

    private async Task StartWebAsync(CancellationToken cancellationToken)
    {
        _inspector = new HttpInspector(new CaptureStore(_options.InspectBudgetBytes), _options.InspectBodyLimit, ReportRequest, _logger);
        if (_options.WebAddress is not { } address)
        {
            return;
        }

        (_web, ProtocolError? error) = await WebServer.StartAsync(this, address, cancellationToken).ConfigureAwait(false);
        if (_web is null)
        {
            // The tunnels still work without the web interface: say so and go on.
            SayError(error!);
            return;
        }

        WebInterfaceUrl = _web.Url;
        LogLine.Info(_logger, 6100, "starting web service", ("addr", _web.Address));
        Say($"Web Interface {_web.Url}");
        if (_web.MovedFrom is { } wanted)
        {
            Say($"Port {wanted} was taken (another program, or another agent): the web interface and agent API are on {_web.Url} instead ('burrow status' lists every agent's).");
        }

        if (_options.StateDirectory is { } stateDirectory)
        {
            _runningRecord = RunningAgents.Record(stateDirectory, _web.Url);
        }
    }

    private async Task StopWebAsync()
    {
        RunningAgents.Forget(_runningRecord);
        _runningRecord = null;
        if (_inspector is not null)
        {
            await _inspector.DisposeAsync().ConfigureAwait(false);
            _inspector = null;
        }

        if (_web is not null)
        {
            await _web.DisposeAsync().ConfigureAwait(false);
            _web = null;
        }
    }

    /// <summary>Binds a new tunnel on the live session (the agent API's POST /api/tunnels).</summary>
    internal async Task<(TunnelStatus? Tunnel, ProtocolError? Error)> StartTunnelAsync(TunnelDefinition definition, CancellationToken cancellationToken)
    {
        if (FindTunnel(definition.Name) is not null)
        {
            return (null, ErrorCodes.TunnelNameTaken.ToError(definition.Name));
        }

        if (_live is not { } live)
        {
            return (null, ErrorCodes.AgentOffline.ToError());
        }

        var tunnel = new ActiveTunnel(definition, definition.Upstream.Host, definition.Upstream.Port);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, live.Token);
        BindResultMessage result;
        try
        {
            result = await BindAsync(live.Writer, live.Pending, tunnel, definition.Hostname, definition.Subdomain, definition.RemotePort, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or TimeoutException or ObjectDisposedException)
        {
            return (null, ErrorCodes.AgentOffline.ToError());
        }

        if (result.Error is { } refused)
        {
            return (null, ErrorCodes.TunnelStartFailed.ToError(definition.Name, refused.ToString()));
        }

        tunnel.TunnelId = result.TunnelId!;
        tunnel.Urls = result.Urls ?? [];
        if (!_tunnels.TryAdd(tunnel))
        {
            return (null, ErrorCodes.TunnelNameTaken.ToError(definition.Name));
        }

        PrintForwarding(tunnel);
        return (GetStatus().Tunnels.First(t => t.Name == definition.Name), null);
    }

    /// <summary>Unbinds a tunnel and forgets it (the agent API's DELETE /api/tunnels/{name}); false when there is none by that name.</summary>
    internal async Task<bool> StopTunnelAsync(string name, CancellationToken cancellationToken)
    {
        if (_tunnels.Remove(name) is not { } tunnel)
        {
            return false;
        }

        if (tunnel.TunnelId is { } id)
        {
            if (_live is { } live)
            {
                try
                {
                    await live.Writer.WriteAsync(new UnbindMessage { TunnelId = id }, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
                {
                    // The session is ending; the edge drops the tunnel with it.
                }
            }
        }

        Say($"Stopped tunnel {name}.");
        return true;
    }

    private sealed record LiveSession(
        ControlMessageWriter Writer, ConcurrentDictionary<string, TaskCompletionSource<BindResultMessage>> Pending, CancellationToken Token);
}

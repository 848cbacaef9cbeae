using System.Collections.Concurrent;
using System.Globalization;
using Burrow.Agent.Session;
using Burrow.Agent.Tunnels;
using Burrow.Mux.Errors;
using Burrow.Mux.Sessions;
using Burrow.Protocol.Codec;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;

namespace Burrow.Agent;

// The control stream: binds and their answers, notices, and the keepalive that watches the link.
public sealed partial class AgentRunner
{
    private static readonly TimeSpan BindTimeout = TimeSpan.FromSeconds(15);
    private int _nextRequestId;

    private async Task<int?> BindAllAsync(
        ControlMessageWriter writer, ConcurrentDictionary<string, TaskCompletionSource<BindResultMessage>> pending, CancellationToken cancellationToken)
    {
        foreach (ActiveTunnel tunnel in _tunnels.Snapshot())
        {
            TunnelDefinition definition = tunnel.Definition;
            _state.Tunnels.TryGetValue(definition.Name, out RememberedTunnel? remembered);
            // A tunnel with no name of its own asks for the one it had, so URLs survive restarts of agent and edge.
            bool tcp = definition.Proto == TunnelProtocols.Tcp;
            string? hostname = tcp ? null : definition.Hostname ?? (definition.NameRequested ? null : remembered?.Hostname);
            // A tcp tunnel likewise asks for the port it had.
            int? port = !tcp ? null : definition.RemotePort ?? (remembered?.Urls is [{ } firstUrl, ..] && Uri.TryCreate(firstUrl, UriKind.Absolute, out Uri? rememberedUrl) ? rememberedUrl.Port : null);
            BindResultMessage result = await BindAsync(writer, pending, tunnel, hostname, definition.Subdomain, port, cancellationToken).ConfigureAwait(false);
            if (result.Error is not null && !definition.NameRequested && (hostname is not null || port is not null)
                && (ErrorCodes.HostnameTaken.Matches(result.Error) || ErrorCodes.HostnameNotAllowed.Matches(result.Error) || ErrorCodes.TcpPortUnavailable.Matches(result.Error)
                    || ErrorCodes.HostnameReserved.Matches(result.Error) || ErrorCodes.TcpPortReserved.Matches(result.Error)))
            {
                result = await BindAsync(writer, pending, tunnel, null, null, null, cancellationToken).ConfigureAwait(false);
            }

            if (result.Error is { } error)
            {
                SayError(error);
                if (ErrorCodes.EdgeDraining.Matches(error))
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
            _state.Tunnels[definition.Name] = new RememberedTunnel { TunnelId = result.TunnelId!, Hostname = boundHost, Urls = [.. tunnel.Urls] };
            if (changed || !_everOnline)
            {
                if (_everOnline)
                {
                    Say("Reconnected to the edge with new URLs:");
                }

                PrintForwarding(tunnel);
            }
            else
            {
                Say("Reconnected to the edge; the URLs are unchanged.");
            }
        }

        _state.Save(_statePath);
        return null;
    }

    private async Task<BindResultMessage> BindAsync(
        ControlMessageWriter writer,
        ConcurrentDictionary<string, TaskCompletionSource<BindResultMessage>> pending,
        ActiveTunnel tunnel,
        string? hostname,
        string? subdomain,
        int? remotePort,
        CancellationToken cancellationToken)
    {
        string requestId = Interlocked.Increment(ref _nextRequestId).ToString(CultureInfo.InvariantCulture);
        var answer = new TaskCompletionSource<BindResultMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[requestId] = answer;
        await writer.WriteAsync(new BindMessage
        {
            RequestId = requestId,
            TunnelName = tunnel.Definition.Name,
            Proto = tunnel.Definition.Proto,
            Hostname = hostname,
            RemotePort = remotePort,
            Subdomain = hostname is null ? subdomain : null,
            ForwardsTo = tunnel.Display,
            Options = tunnel.Definition.Options,
        }, cancellationToken).ConfigureAwait(false);
        try
        {
            return await answer.Task.WaitAsync(BindTimeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            pending.TryRemove(requestId, out _);
        }
    }

    private async Task ControlLoopAsync(
        ControlMessageReader reader, ConcurrentDictionary<string, TaskCompletionSource<BindResultMessage>> pending, CancellationTokenSource session)
    {
        try
        {
            while (await reader.ReadAsync(session.Token).ConfigureAwait(false) is { } message)
            {
                switch (message)
                {
                    case BindResultMessage result when pending.TryGetValue(result.RequestId, out var answer):
                        answer.TrySetResult(result);
                        break;
                    case NoticeMessage notice:
                        OnNotice(notice);
                        break;
                    case TunnelStatsMessage stats:
                        OnTunnelStats(stats);
                        break;
                    default:
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ProtocolException or InvalidOperationException)
        {
            // The session is ending; the connection loop reports why.
        }
        finally
        {
            foreach (var answer in pending.Values)
            {
                answer.TrySetException(new IOException("the connection to the edge ended before the bind was answered"));
            }
        }
    }

    private void OnNotice(NoticeMessage notice)
    {
        switch (notice.Kind)
        {
            case NoticeKinds.Draining:
                Say("The edge is shutting down; requests in flight may finish, and the agent reconnects by itself.");
                break;
            case NoticeKinds.ResumeExpired:
                Say("The previous session could not be resumed; binding the tunnels again.");
                break;
            case NoticeKinds.TunnelEvicted:
                Say($"The edge removed tunnel {notice.TunnelId}: {notice.Message}");
                break;
            default:
                Say(notice.Error is { } error ? $"Notice from the edge: {notice.Message} ({error})" : $"Notice from the edge: {notice.Message}");
                break;
        }
    }

    /// <summary>Pings at the edge's interval; returns true when a ping went unanswered and the session was closed for it.</summary>
    private async Task<bool> HeartbeatAsync(MuxSession mux, AuthResultMessage settings, CancellationToken cancellationToken)
    {
        TimeSpan interval = TimeSpan.FromMilliseconds(Math.Max(1000, settings.HeartbeatIntervalMs));
        TimeSpan timeout = TimeSpan.FromMilliseconds(Math.Max(1000, settings.HeartbeatTimeoutMs));
        try
        {
            // A first ping at once gives the latency straight away.
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    Latency = await mux.PingAsync(cancellationToken).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    Say(string.Create(CultureInfo.InvariantCulture, $"The edge did not answer a keepalive ping within {timeout.TotalSeconds:0} s."));
                    await mux.DisposeAsync().ConfigureAwait(false);
                    return true;
                }

                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or MuxException or IOException)
        {
            // The session ended.
        }

        return false;
    }
}

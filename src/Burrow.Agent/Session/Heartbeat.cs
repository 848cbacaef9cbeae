using Burrow.Agent.Events;
using Burrow.Mux.Errors;
using Burrow.Mux.Sessions;
using Burrow.Protocol.Messages;

namespace Burrow.Agent.Session;

/// <summary>
/// Watches the link with yamux pings at the interval the edge's <c>auth_result</c> asks for, keeping the last
/// round-trip time for the status; a ping left unanswered closes the connection.
/// </summary>
internal sealed class Heartbeat
{
    private readonly AgentEventSource _events;

    public Heartbeat(AgentEventSource events)
    {
        _events = events;
    }

    /// <summary>The round-trip time measured by the last answered ping, kept across reconnects.</summary>
    public TimeSpan? Latency { get; private set; }

    /// <summary>Pings until cancelled or the session ends; returns true when a ping went unanswered and the session was closed for it.</summary>
    public async Task<bool> RunAsync(MuxSession mux, AuthResultMessage settings, CancellationToken cancellationToken)
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
                    _events.Raise(new KeepaliveTimedOut(timeout));
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

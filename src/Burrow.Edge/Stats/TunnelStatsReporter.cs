using Burrow.Edge.Agents;
using Burrow.Edge.Routing;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Versioning;

namespace Burrow.Edge.Stats;

/// <summary>
/// Sends <c>tunnel_stats</c> for a session's http tunnels to an agent that asked for them
/// (<see cref="ProtocolFeatures.TunnelStats"/>): at most every <see cref="Interval"/>, and only for
/// a tunnel whose counts changed since this connection last sent them.
/// </summary>
/// <remarks>
/// Counts are cumulative, so a reporter on a resumed connection starts by sending every tunnel
/// with anything counted: whatever the last connection lost in flight is made good.
/// </remarks>
internal static class TunnelStatsReporter
{
    /// <summary>How often the counts are looked at: a console refreshing every 250 ms shows them about this late.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    /// <summary>Runs until <paramref name="stop"/> is cancelled.</summary>
    /// <param name="session">Whose tunnels are reported.</param>
    /// <param name="link">The connection the reports go on.</param>
    /// <param name="stop">Ends the loop (the control loop has ended).</param>
    /// <param name="connectionClosing">Cancels a write in progress (the connection is going).</param>
    public static async Task RunAsync(AgentSession session, AgentLink link, CancellationToken stop, CancellationToken connectionClosing)
    {
        var sent = new Dictionary<string, (long Opened, long Closed, long Requests)>(StringComparer.Ordinal);
        using var timer = new PeriodicTimer(Interval, session.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                foreach (Tunnel tunnel in session.Tunnels)
                {
                    if (tunnel.Proto != TunnelProtocols.Http)
                    {
                        // tcp and tls: one proxy stream is one client connection, which the agent counts itself.
                        continue;
                    }

                    ClientStats stats = tunnel.Clients;
                    var now = (stats.ConnectionsOpened, stats.ConnectionsClosed, stats.Requests);
                    if (sent.TryGetValue(tunnel.Id, out var last) ? last == now : now == (0, 0, 0))
                    {
                        continue;
                    }

                    sent[tunnel.Id] = now;
                    // A failed send is not retried: the next connection sends the totals again.
                    await link.TrySendAsync(new TunnelStatsMessage
                    {
                        TunnelId = tunnel.Id,
                        ConnsOpened = now.ConnectionsOpened,
                        ConnsClosed = now.ConnectionsClosed,
                        Requests = now.Requests,
                        ConnDurationsUs = stats.ConnectionDurations.Take(),
                        RequestDurationsUs = stats.RequestDurations.Take(),
                    }, connectionClosing).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The control loop ended.
        }
    }
}

using Burrow.Protocol.Messages;

namespace Burrow.Agent.Metrics;

/// <summary>
/// Turns the edge's cumulative <c>tunnel_stats</c> of one http tunnel into additions to the
/// tunnel's <see cref="ConnectionMetrics"/>: the difference from the last report of the same tunnel
/// id. A new tunnel id (the tunnels were bound again after a lost session) starts from zero, and the
/// connections the old one still had open are closed, since no report will ever close them.
/// </summary>
internal sealed class EdgeClientCounts
{
    private readonly Lock _lock = new();
    private string? _tunnelId;
    private long _opened;
    private long _closed;
    private long _requests;

    /// <summary>Adds what <paramref name="stats"/> tells beyond the last report to <paramref name="connections"/> and <paramref name="requests"/>.</summary>
    public void Apply(TunnelStatsMessage stats, ConnectionMetrics connections, ConnectionMetrics requests)
    {
        ArgumentNullException.ThrowIfNull(stats);
        lock (_lock)
        {
            // Counts only grow for one tunnel id; anything else is a tunnel that started over.
            if (!string.Equals(_tunnelId, stats.TunnelId, StringComparison.Ordinal)
                || stats.ConnsOpened < _opened || stats.ConnsClosed < _closed || stats.Requests < _requests)
            {
                connections.Add(0, _opened - _closed, []);
                _tunnelId = stats.TunnelId;
                _opened = _closed = _requests = 0;
            }

            connections.Add(stats.ConnsOpened - _opened, stats.ConnsClosed - _closed, stats.ConnDurationsUs);
            long newRequests = stats.Requests - _requests;
            requests.Add(newRequests, newRequests, stats.RequestDurationsUs);
            _opened = stats.ConnsOpened;
            _closed = stats.ConnsClosed;
            _requests = stats.Requests;
        }
    }
}

using Burrow.Edge.Routing;
using Burrow.Storage;
using Burrow.Storage.Routes;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Cluster;

/// <summary>Following the table: the LISTEN loop, reloads after a lost connection, and the in-memory map.</summary>
internal sealed partial class ClusterRoutes
{
    private async Task FollowAsync(TableListener? listener, CancellationToken cancellationToken)
    {
        TimeSpan retry = RetryMin;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (listener is null)
                {
                    listener = await _table.OpenListenerAsync([RouteTable.RoutesChannel, RouteTable.RevocationsChannel], cancellationToken).ConfigureAwait(false);
                    // Listening first, then reading: a change committed between the two is both read and notified.
                    await ReassertAsync(cancellationToken).ConfigureAwait(false);
                    Replace(await _table.LoadAllAsync(cancellationToken).ConfigureAwait(false));
                    _unavailable = null;
                    retry = RetryMin;
                    Log.Reconnected(_logger);
                }

                listener.Notified += OnNotified;
                while (true)
                {
                    await listener.WaitAsync(ListenCheck, cancellationToken).ConfigureAwait(false);
                    await LoadPendingAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (StoreException ex)
            {
                if (_unavailable is null)
                {
                    Log.Disconnected(_logger, ex.Message);
                }

                _unavailable = "its connection to the cluster's database is lost";
            }
            finally
            {
                if (listener is not null)
                {
                    listener.Notified -= OnNotified;
                    await listener.DisposeAsync().ConfigureAwait(false);
                    listener = null;
                }
            }

            try
            {
                await Task.Delay(retry, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, RetryMax.Ticks));
        }
    }

    /// <summary>
    /// After an outage: writes every local tunnel's row again, then deletes this node's rows of tunnels that are gone
    /// (unbinds whose release was lost). A key another agent took meanwhile stays theirs; the local tunnel is logged.
    /// </summary>
    private async Task ReassertAsync(CancellationToken cancellationToken)
    {
        Tunnel[] local = _tunnels.Snapshot();
        var kept = new HashSet<string>(StringComparer.Ordinal);
        foreach (Tunnel tunnel in local)
        {
            RouteRow row = RowOf(tunnel);
            (RouteClaim claim, RouteRow? holder) = await _table.ClaimAsync(row, cancellationToken).ConfigureAwait(false);
            if (claim == RouteClaim.Taken)
            {
                Log.ReassertLost(_logger, row.Key, holder?.Node ?? "?");
            }
            else
            {
                kept.Add(row.TunnelId);
            }
        }

        foreach (RouteRow stale in (await _table.LoadAllAsync(cancellationToken).ConfigureAwait(false)).Where(r => r.Node == LocalNode && !kept.Contains(r.TunnelId)))
        {
            await _table.ReleaseAsync(stale.Key, stale.Node, stale.TunnelId, cancellationToken).ConfigureAwait(false);
        }
    }

    // Raised inside WaitAsync, on the listener's connection: only noted here, read once WaitAsync returns.
    private void OnNotified(string channel, string payload)
    {
        if (channel == RouteTable.RevocationsChannel)
        {
            Revoked?.Invoke(payload);
            return;
        }

        lock (_lock)
        {
            _pendingKeys.Add(payload);
        }
    }

    private async Task LoadPendingAsync(CancellationToken cancellationToken)
    {
        string[] keys;
        lock (_lock)
        {
            keys = [.. _pendingKeys];
            _pendingKeys.Clear();
        }

        foreach (string key in keys)
        {
            List<RouteRow> rows = await _table.LoadKeyAsync(key, cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                if (rows.Count == 0)
                {
                    _byKey.Remove(key);
                }
                else
                {
                    _byKey[key] = [.. rows];
                }
            }

            Changed?.Invoke(key);
            await RewriteDeletedAsync(key, rows, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes again the row of a tunnel this node still serves when another node deleted it: that node counted this one
    /// gone because its lease ran out while the database was away (for this node alone, or for every node at once when
    /// PostgreSQL itself was down longer than a lease), possibly after this node's own reconnect had written its rows.
    /// Without this the name would stay unrouted from the other nodes for as long as the tunnel lives.
    /// </summary>
    private async Task RewriteDeletedAsync(string key, List<RouteRow> rows, CancellationToken cancellationToken)
    {
        // Only accepted tunnels (their URLs given): one still being bound claims its row itself.
        Tunnel[] orphans = [.. _tunnels.Snapshot().Where(t => t.Urls.Count > 0
            && string.Equals(t.Hostname, key, StringComparison.OrdinalIgnoreCase)
            && !rows.Any(r => r.Node == LocalNode && r.TunnelId == t.Id))];
        foreach (Tunnel tunnel in orphans)
        {
            RouteRow row = RowOf(tunnel);
            (RouteClaim claim, RouteRow? holder) = await _table.ClaimAsync(row, cancellationToken).ConfigureAwait(false);
            if (claim == RouteClaim.Taken)
            {
                Log.ReassertLost(_logger, row.Key, holder?.Node ?? "?");
            }
            else
            {
                Upsert(row);
                Log.RouteRewritten(_logger, row.Key);
            }
        }
    }

    private void Replace(List<RouteRow> rows)
    {
        string[] before;
        lock (_lock)
        {
            before = [.. _byKey.Keys];
            _byKey.Clear();
            foreach (IGrouping<string, RouteRow> key in rows.GroupBy(r => r.Key, StringComparer.OrdinalIgnoreCase))
            {
                _byKey[key.Key] = [.. key];
            }
        }

        foreach (string key in before.Union(rows.Select(r => r.Key), StringComparer.OrdinalIgnoreCase))
        {
            Changed?.Invoke(key);
        }
    }

    private void Upsert(RouteRow row)
    {
        lock (_lock)
        {
            RouteRow[] rows = _byKey.GetValueOrDefault(row.Key) ?? [];
            _byKey[row.Key] = [.. rows.Where(r => !(r.Node == row.Node && r.TunnelId == row.TunnelId)), row];
        }
    }

    private void Remove(RouteRow row)
    {
        lock (_lock)
        {
            if (_byKey.GetValueOrDefault(row.Key) is { } rows)
            {
                RouteRow[] left = [.. rows.Where(r => !(r.Node == row.Node && r.TunnelId == row.TunnelId))];
                if (left.Length == 0)
                {
                    _byKey.Remove(row.Key);
                }
                else
                {
                    _byKey[row.Key] = left;
                }
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5320, EventName = "ClusterRoutesDisconnected", Level = LogLevel.Warning, Message = "Lost the cluster's routes table; new binds are refused until it is back: {Reason}")]
        public static partial void Disconnected(ILogger logger, string reason);

        [LoggerMessage(EventId = 5321, EventName = "ClusterRoutesReconnected", Level = LogLevel.Information, Message = "Following the cluster's routes table (reloaded, this node's routes written again)")]
        public static partial void Reconnected(ILogger logger);

        [LoggerMessage(EventId = 5322, EventName = "RouteClaimFailed", Level = LogLevel.Warning, Message = "Could not write the route of {Key}: {Reason}")]
        public static partial void ClaimFailed(ILogger logger, string key, string reason);

        [LoggerMessage(EventId = 5323, EventName = "RouteTaken", Level = LogLevel.Information, Message = "{Key} is held by another agent on node {Node}")]
        public static partial void ClaimTaken(ILogger logger, string key, string node);

        [LoggerMessage(EventId = 5324, EventName = "RouteReleaseFailed", Level = LogLevel.Warning, Message = "Could not delete the route of {Key} (it is cleaned up on reconnect): {Reason}")]
        public static partial void ReleaseFailed(ILogger logger, string key, string reason);

        [LoggerMessage(EventId = 5325, EventName = "DeadNodeRoutesDeleted", Level = LogLevel.Information, Message = "Deleted {Count} routes of nodes whose lease ran out")]
        public static partial void DeadNodeRoutesDeleted(ILogger logger, int count);

        [LoggerMessage(EventId = 5327, EventName = "RouteRewritten", Level = LogLevel.Warning, Message = "The route of {Key} was deleted by another node that counted this one gone (its lease ran out while the database was away); written again")]
        public static partial void RouteRewritten(ILogger logger, string key);

        [LoggerMessage(EventId = 5326, EventName = "RouteReassertLost", Level = LogLevel.Warning, Message = "{Key} was taken by another agent on node {Node} while this node was cut off; the local tunnel is no longer routed here from other nodes")]
        public static partial void ReassertLost(ILogger logger, string key, string node);
    }
}

using Dapper;

namespace Burrow.Storage.Sql;

internal sealed partial class SqlControlStore
{
    /// <summary>The channel a node's joining and leaving is announced on (the payload is its name).</summary>
    public const string NodesChannel = "burrow_nodes";

    // The database's clock in Unix milliseconds: the lease must not depend on the nodes' clocks agreeing.
    private const string DatabaseNow = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT";

    private const string NodeColumns =
        "name AS Name, instance_id AS InstanceId, link_addr AS LinkAddress, agent_addr AS AgentAddress, started_at AS StartedAt, heartbeat_at AS HeartbeatAt, " +
        "lease_until AS LeaseUntil, draining AS Draining, load_json AS LoadJson";

    public Task<bool> HeartbeatNodeAsync(NodeHeartbeat heartbeat, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(heartbeat);
        RequireCluster();
        string name = RequireName(heartbeat.Name, "node name");
        string instance = heartbeat.InstanceId;
        string link = heartbeat.LinkAddress;
        string agent = heartbeat.AgentAddress;
        long started = heartbeat.StartedAt.ToUnixTimeMilliseconds();
        long leaseMs = (long)heartbeat.Lease.TotalMilliseconds;
        string load = heartbeat.LoadJson;
        // One statement: insert, renew this instance's lease, or take over a name whose lease has run out. The
        // conditional DO UPDATE touches no row while another instance's lease runs (PostgreSQL re-checks it on the
        // latest row version), so no row back = refused. "previous" is the row before the statement: a new holder
        // (joined) is announced so the other nodes reload now rather than at their next poll.
        return RunAsync(async c =>
        {
            HeartbeatResult? result = await c.QuerySingleOrDefaultAsync<HeartbeatResult>(
                "WITH previous AS (SELECT instance_id FROM nodes WHERE name = @name), " +
                "written AS (INSERT INTO nodes (name, instance_id, link_addr, agent_addr, started_at, heartbeat_at, lease_until, draining, load_json) " +
                $"VALUES (@name, @instance, @link, @agent, @started, {DatabaseNow}, {DatabaseNow} + @leaseMs, FALSE, @load) " +
                "ON CONFLICT (name) DO UPDATE SET instance_id = excluded.instance_id, link_addr = excluded.link_addr, agent_addr = excluded.agent_addr, " +
                "started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, lease_until = excluded.lease_until, load_json = excluded.load_json, " +
                "draining = CASE WHEN nodes.instance_id = excluded.instance_id THEN nodes.draining ELSE FALSE END " +
                "WHERE nodes.instance_id = excluded.instance_id OR nodes.lease_until <= excluded.heartbeat_at RETURNING name) " +
                "SELECT (SELECT COUNT(*) FROM written) AS Written, COALESCE((SELECT instance_id FROM previous), '') AS Previous",
                new { name, instance, link, agent, started, leaseMs, load, cancellationToken }).ConfigureAwait(false);
            bool written = result is { Written: > 0 };
            if (written && result!.Previous != instance)
            {
                await c.ExecuteAsync("SELECT pg_notify(@channel, @name)", new { channel = NodesChannel, name, cancellationToken }).ConfigureAwait(false);
            }

            return written;
        }, cancellationToken, write: true);
    }

    public Task<IReadOnlyList<NodeRecord>> ListNodesAsync(CancellationToken cancellationToken = default)
    {
        RequireCluster();
        return RunAsync<IReadOnlyList<NodeRecord>>(async c => [.. (await c.QueryAsync<NodeRow>(
            $"SELECT {NodeColumns}, lease_until > {DatabaseNow} AS Live FROM nodes ORDER BY name", new { cancellationToken }).ConfigureAwait(false))
            .Select(r => r.ToRecord())], cancellationToken);
    }

    public Task LeaveNodeAsync(string name, string instanceId, CancellationToken cancellationToken = default)
    {
        RequireCluster();
        return RunAsync(async c =>
        {
            int deleted = await c.ExecuteAsync("DELETE FROM nodes WHERE name = @name AND instance_id = @instanceId", new { name, instanceId, cancellationToken }).ConfigureAwait(false);
            if (deleted > 0)
            {
                await c.ExecuteAsync("SELECT pg_notify(@channel, @name)", new { channel = NodesChannel, name, cancellationToken }).ConfigureAwait(false);
            }

            return deleted;
        }, cancellationToken, write: true);
    }

    public Task<bool> DrainNodeAsync(string name, CancellationToken cancellationToken = default)
    {
        RequireCluster();
        return RunAsync(async c =>
        {
            int marked = await c.ExecuteAsync($"UPDATE nodes SET draining = TRUE WHERE name = @name AND lease_until > {DatabaseNow}", new { name, cancellationToken }).ConfigureAwait(false);
            if (marked > 0)
            {
                await c.ExecuteAsync("SELECT pg_notify(@channel, @name)", new { channel = NodesChannel, name, cancellationToken }).ConfigureAwait(false);
            }

            return marked > 0;
        }, cancellationToken, write: true);
    }

    public async Task<ClusterAuthorityRecord> GetOrCreateClusterAuthorityAsync(Func<ClusterAuthorityRecord> create, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(create);
        RequireCluster();
        if (await ReadClusterAuthorityAsync(cancellationToken).ConfigureAwait(false) is { } stored)
        {
            return stored;
        }

        ClusterAuthorityRecord made = create();
        string certificate = made.CertificatePem;
        string keySealed = _sealer.Seal(made.KeyPem, ClusterAuthoritySealContext);
        long now = Now();
        // Two first nodes at once: the second insert does nothing, and both read the first one's.
        await RunAsync(c => c.ExecuteAsync(
            "INSERT INTO cluster_authority (id, certificate_pem, key_sealed, created_at) VALUES (1, @certificate, @keySealed, @now) ON CONFLICT (id) DO NOTHING",
            new { certificate, keySealed, now, cancellationToken }), cancellationToken, write: true).ConfigureAwait(false);
        return await ReadClusterAuthorityAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new StoreException(StoreErrorKind.Unavailable, "The cluster CA was stored but cannot be read back.");
    }

    public async Task ListenAsync(string channel, Action onListening, Action<string> onNotification, CancellationToken cancellationToken)
    {
        RequireCluster();
        try
        {
            await _dialect.ListenAsync(channel, onListening, onNotification, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or IOException or TimeoutException or System.Net.Sockets.SocketException or InvalidOperationException
            && !cancellationToken.IsCancellationRequested)
        {
            throw new StoreException(StoreErrorKind.Unavailable, $"Listening on {channel} at {_dialect.Description} failed: {ex.Message}", ex);
        }
    }

    private const string ClusterAuthoritySealContext = "cluster authority";

    private async Task<ClusterAuthorityRecord?> ReadClusterAuthorityAsync(CancellationToken cancellationToken)
    {
        AuthorityRow? row = await RunAsync(c => c.QuerySingleOrDefaultAsync<AuthorityRow>(
            "SELECT certificate_pem AS CertificatePem, key_sealed AS KeySealed FROM cluster_authority WHERE id = 1", new { cancellationToken }), cancellationToken).ConfigureAwait(false);
        return row is null ? null : new ClusterAuthorityRecord(row.CertificatePem, _sealer.Open(row.KeySealed, ClusterAuthoritySealContext));
    }

    private void RequireCluster()
    {
        if (!_dialect.SupportsCluster)
        {
            throw new StoreException(StoreErrorKind.Invalid, $"A cluster needs a database every node shares (PostgreSQL); {_dialect.Description} is not one.");
        }
    }

    internal sealed class HeartbeatResult
    {
        public long Written { get; set; }

        public string Previous { get; set; } = "";
    }

    internal sealed class AuthorityRow
    {
        public string CertificatePem { get; set; } = "";

        public string KeySealed { get; set; } = "";
    }

    internal sealed class NodeRow
    {
        public string Name { get; set; } = "";

        public string InstanceId { get; set; } = "";

        public string LinkAddress { get; set; } = "";

        public string AgentAddress { get; set; } = "";

        public long StartedAt { get; set; }

        public long HeartbeatAt { get; set; }

        public long LeaseUntil { get; set; }

        public bool Draining { get; set; }

        public string LoadJson { get; set; } = "{}";

        public bool Live { get; set; }

        public NodeRecord ToRecord() => new(
            Name, InstanceId, LinkAddress, AgentAddress, Time(StartedAt), Time(HeartbeatAt), Time(LeaseUntil), Draining, LoadJson, Live);
    }
}

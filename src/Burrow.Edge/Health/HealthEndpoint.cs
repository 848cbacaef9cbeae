using System.Text.Json;
using Burrow.Edge.Agents;
using Burrow.Edge.Routing;
using Burrow.Protocol.Errors;
using Microsoft.AspNetCore.Http;

namespace Burrow.Edge.Health;

/// <summary>
/// <c>GET /healthz</c> on the health listener (<c>--health-addr</c>): the edge is up, and how much
/// it holds. The figures are read live, so an operator (or a fault-injection test) can check that
/// nothing is left behind after agents and clients come and go.
/// </summary>
internal sealed class HealthEndpoint
{
    private readonly SessionRegistry _sessions;
    private readonly TunnelRegistry _tunnels;
    private readonly EdgeLifetime _lifetime;
    private readonly OpenConnections _connections;
    private readonly Certificates.AcmeCertificates? _acme;
    private readonly Certificates.OnDemand.OnDemandCertificates? _onDemand;
    private readonly Cluster.ClusterRoutes? _routes;
    private readonly Cluster.ClusterState? _cluster;

    public HealthEndpoint(
        SessionRegistry sessions, TunnelRegistry tunnels, EdgeLifetime lifetime, OpenConnections connections,
        Certificates.AcmeCertificates? acme = null, Certificates.OnDemand.OnDemandCertificates? onDemand = null,
        Cluster.ClusterState? cluster = null, Cluster.ClusterRoutes? routes = null)
    {
        _cluster = cluster;
        _routes = routes;
        _acme = acme;
        _onDemand = onDemand;
        _sessions = sessions;
        _tunnels = tunnels;
        _lifetime = lifetime;
        _connections = connections;
    }

    /// <summary>The connection item that marks a connection as accepted by the health listener.</summary>
    public const string ConnectionItem = "burrow.health";

    public async Task HandleAsync(HttpContext context)
    {
        HttpResponse response = context.Response;
        response.Headers.CacheControl = "no-store";
        if (!HttpMethods.IsGet(context.Request.Method) || context.Request.Path != "/healthz")
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        int sessions = 0, online = 0, streams = 0;
        foreach (AgentSession session in _sessions.All)
        {
            sessions++;
            if (session.Link is { } link)
            {
                online++;
                streams += link.StreamCount;
            }
        }

        response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            // Degraded (still 200: the edge serves, and is the only one that can fix it) while the ACME certificate
            // is not installed yet or its renewal keeps failing; the reason is under "certificate".
            Certificates.AcmeStatus? acme = _acme?.Status;
            // A reserved name's certificate degrades the edge only once one was served and its renewal keeps failing:
            // "pending" is the normal state of a name whose DNS does not point here yet, and clients of that name
            // alone are affected (the name is listed with its error either way).
            KeyValuePair<string, Certificates.AcmeStatus>[] names = _onDemand is null ? [] : [.. _onDemand.Statuses.OrderBy(static n => n.Key, StringComparer.Ordinal)];
            bool namesFailing = names.Any(static n => n.Value.State == "renewal-failing");
            // A node whose heartbeat cannot be written serves on, but the other nodes will count it as gone; one cut off
            // from the routes table serves what it has but binds nothing new: degraded either way, the reason below.
            Cluster.ClusterMembership? node = _cluster?.Membership;
            bool clusterDegraded = node is { State: "degraded" };
            string? routesDown = _routes?.Unavailable;
            json.WriteString("status", _lifetime.Draining ? "draining" : acme is { Degraded: true } || namesFailing || clusterDegraded || routesDown is not null ? "degraded" : "ok");
            if (_routes is not null)
            {
                json.WriteStartObject("cluster_routes");
                json.WriteString("state", routesDown is null ? "ok" : "unavailable");
                json.WriteNumber("keys", _routes.Snapshot().Length);
                if (routesDown is not null)
                {
                    json.WriteString("reason", ErrorCodes.ClusterRoutesUnavailable.Code + ": " + ErrorCodes.ClusterRoutesUnavailable.FormatMessage(routesDown));
                }

                json.WriteEndObject();
            }

            json.WriteNumber("sessions", sessions);
            json.WriteNumber("sessions_online", online);
            json.WriteNumber("tunnels", _tunnels.Count);
            json.WriteNumber("mux_streams", streams);
            json.WriteNumber("requests_in_flight", _lifetime.InFlight);
            json.WriteNumber("agent_connections", _connections.Agents);
            json.WriteNumber("public_connections", _connections.Public);
            if (node is not null)
            {
                WriteCluster(json, node);
            }

            if (acme is not null)
            {
                json.WritePropertyName("certificate");
                WriteStatus(json, acme);
            }

            if (names.Length > 0)
            {
                // On-demand certificates of reserved names outside the wildcard, by name.
                json.WriteStartObject("hostname_certificates");
                foreach ((string name, Certificates.AcmeStatus status) in names)
                {
                    json.WritePropertyName(name);
                    WriteStatus(json, status);
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        await response.Body.WriteAsync(buffer.ToArray(), context.RequestAborted).ConfigureAwait(false);
    }

    private static void WriteCluster(Utf8JsonWriter json, Cluster.ClusterMembership node)
    {
        json.WriteString("node", node.Registry.LocalName);
        json.WriteStartObject("cluster");
        json.WriteString("state", node.State);
        if (node.Registry.HeartbeatError is { } error)
        {
            json.WriteString("error", error);
        }

        if (node.Registry.LastHeartbeat is { } last)
        {
            json.WriteString("last_heartbeat", last);
        }

        json.WriteNumber("live_nodes", node.Registry.LiveNodes.Count);
        json.WriteNumber("node_links", node.Links.Links.Count);
        json.WriteEndObject();
    }

    private static void WriteStatus(Utf8JsonWriter json, Certificates.AcmeStatus status)
    {
        json.WriteStartObject();
        json.WriteString("source", "acme");
        json.WriteString("state", status.State);
        if (status.NotAfter is { } notAfter)
        {
            json.WriteString("not_after", notAfter);
        }

        if (status.Error is { } error)
        {
            json.WriteString("error", error);
        }

        if (status.NextAttempt is { } next)
        {
            json.WriteString("next_attempt", next);
        }

        json.WriteEndObject();
    }
}

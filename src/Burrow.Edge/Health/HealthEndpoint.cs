using System.Text.Json;
using Burrow.Edge.Agents;
using Burrow.Edge.Routing;
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

    public HealthEndpoint(SessionRegistry sessions, TunnelRegistry tunnels, EdgeLifetime lifetime, OpenConnections connections, Certificates.AcmeCertificates? acme = null)
    {
        _acme = acme;
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
            json.WriteString("status", _lifetime.Draining ? "draining" : acme is { Degraded: true } ? "degraded" : "ok");
            json.WriteNumber("sessions", sessions);
            json.WriteNumber("sessions_online", online);
            json.WriteNumber("tunnels", _tunnels.Count);
            json.WriteNumber("mux_streams", streams);
            json.WriteNumber("requests_in_flight", _lifetime.InFlight);
            json.WriteNumber("agent_connections", _connections.Agents);
            json.WriteNumber("public_connections", _connections.Public);
            if (acme is not null)
            {
                json.WriteStartObject("certificate");
                json.WriteString("source", "acme");
                json.WriteString("state", acme.State);
                if (acme.NotAfter is { } notAfter)
                {
                    json.WriteString("not_after", notAfter);
                }

                if (acme.Error is { } error)
                {
                    json.WriteString("error", error);
                }

                if (acme.NextAttempt is { } next)
                {
                    json.WriteString("next_attempt", next);
                }

                json.WriteEndObject();
            }
            json.WriteEndObject();
        }

        await response.Body.WriteAsync(buffer.ToArray(), context.RequestAborted).ConfigureAwait(false);
    }
}

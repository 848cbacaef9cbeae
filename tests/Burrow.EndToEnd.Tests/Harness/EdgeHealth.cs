using System.Text.Json.Serialization;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>What the edge's <c>GET /healthz</c> reports.</summary>
public sealed record EdgeHealth(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("sessions")] int Sessions,
    [property: JsonPropertyName("sessions_online")] int SessionsOnline,
    [property: JsonPropertyName("tunnels")] int Tunnels,
    [property: JsonPropertyName("mux_streams")] int MuxStreams,
    [property: JsonPropertyName("requests_in_flight")] int RequestsInFlight,
    [property: JsonPropertyName("agent_connections")] int AgentConnections,
    [property: JsonPropertyName("public_connections")] int PublicConnections);

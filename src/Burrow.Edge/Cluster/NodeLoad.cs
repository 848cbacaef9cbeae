using System.Text.Json;
using Burrow.Edge.Agents;
using Burrow.Edge.Health;
using Burrow.Edge.Routing;

namespace Burrow.Edge.Cluster;

/// <summary>
/// The load a node writes into its registry row with each heartbeat: figures the edge keeps anyway, read live, so the
/// row costs nothing to fill. A JSON object, shown as is by <c>burrow admin nodes</c> and the admin page.
/// </summary>
internal sealed class NodeLoad
{
    private readonly SessionRegistry _sessions;
    private readonly TunnelRegistry _tunnels;
    private readonly OpenConnections _connections;

    public NodeLoad(SessionRegistry sessions, TunnelRegistry tunnels, OpenConnections connections)
    {
        _sessions = sessions;
        _tunnels = tunnels;
        _connections = connections;
    }

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("tunnels", _tunnels.Count);
            json.WriteNumber("sessions", _sessions.All.Count());
            json.WriteNumber("agent_connections", _connections.Agents);
            json.WriteNumber("public_connections", _connections.Public);
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}

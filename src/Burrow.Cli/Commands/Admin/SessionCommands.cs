using System.CommandLine;
using Burrow.Edge.Admin.Models;

namespace Burrow.Cli.Commands.Admin;

/// <summary><c>burrow admin sessions list|kill</c> and <c>burrow admin tunnels list</c>.</summary>
internal static class SessionCommands
{
    public static Command Create(AdminSettings settings)
    {
        var list = new Command("list", "List live agent sessions.");
        list.SetAction(settings, async (parse, client, json, ct) =>
        {
            IReadOnlyList<SessionInfo> sessions = await client.GetAsync("sessions", AdminJsonContext.Default.IReadOnlyListSessionInfo, ct).ConfigureAwait(false);
            if (json)
            {
                AdminOutput.Json(client.LastBody);
                return;
            }

            AdminOutput.Table(["ID", "AGENT", "ADDRESS", "STATE", "UPTIME", "TUNNELS", "REQUESTS", "CONNS", "IN", "OUT"],
                sessions.Select(s => new[]
                {
                    s.Id, $"{s.AgentName} {s.AgentVersion} ({s.AgentOs})", s.RemoteAddress, s.Connected ? "connected" : "away",
                    AdminOutput.Duration(s.UptimeSeconds), AdminOutput.Number(s.TunnelCount), AdminOutput.Number(s.Traffic.Requests),
                    AdminOutput.Number(s.Traffic.Connections), AdminOutput.Bytes(s.Traffic.BytesIn), AdminOutput.Bytes(s.Traffic.BytesOut),
                }),
                "No live sessions.");
        });

        var id = new Argument<string>("id") { Description = "The session's id (ses_...)." };
        var kill = new Command("kill", "Close a session now: the agent is disconnected and its tunnels released.") { id };
        kill.SetAction(settings, async (parse, client, json, ct) =>
        {
            string session = parse.GetValue(id)!;
            await client.DeleteAsync("sessions/" + Uri.EscapeDataString(session), ct).ConfigureAwait(false);
            AdminOutput.Line(json ? $"{{\"closed\": \"{session}\"}}" : $"Closed session {session}.");
        });

        return new Command("sessions", "Live agent sessions.") { list, kill };
    }

    public static Command CreateTunnels(AdminSettings settings)
    {
        var session = new Option<string?>("--session") { Description = "Only this session's tunnels." };
        var list = new Command("list", "List bound tunnels.") { session };
        list.SetAction(settings, async (parse, client, json, ct) =>
        {
            string path = parse.GetValue(session) is { Length: > 0 } s ? "tunnels?session_id=" + Uri.EscapeDataString(s) : "tunnels";
            IReadOnlyList<TunnelInfo> tunnels = await client.GetAsync(path, AdminJsonContext.Default.IReadOnlyListTunnelInfo, ct).ConfigureAwait(false);
            if (json)
            {
                AdminOutput.Json(client.LastBody);
                return;
            }

            AdminOutput.Table(["ID", "SESSION", "PROTO", "URL", "FORWARDS TO", "REQUESTS", "CONNS", "IN", "OUT"],
                tunnels.Select(t => new[]
                {
                    t.Id, t.SessionId, t.Proto, (t.Urls.Count > 0 ? t.Urls[0] : t.Hostname) + (t.Pooled ? t.OutUntil is null ? " (pooled)" : " (pooled, out)" : ""), t.ForwardsTo,
                    AdminOutput.Number(t.Traffic.Requests), AdminOutput.Number(t.Traffic.Connections), AdminOutput.Bytes(t.Traffic.BytesIn), AdminOutput.Bytes(t.Traffic.BytesOut),
                }),
                "No tunnels.");
        });

        return new Command("tunnels", "Bound tunnels.") { list };
    }
}

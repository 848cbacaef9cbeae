using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Burrow.Agent;
using Burrow.Agent.Web;

namespace Burrow.Cli.Commands;

/// <summary>
/// <c>burrow status</c>: the agents running on this machine (as this user), each with its web interface and its
/// tunnels' public URLs. Scripts use <c>--url</c> instead of guessing that port 4040 is burrow's.
/// </summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object: every agent with its web address and /api/tunnels answer." };
        var url = new Option<bool>("--url") { Description = "Print only the public URLs, one per line (for scripts)." };
        var command = new Command("status", "List the burrow agents running on this machine, their web interfaces and public URLs.") { json, url };
        command.SetAction(async (parse, cancellationToken) =>
        {
            IReadOnlyList<RunningAgents.Entry> agents = RunningAgents.List(AgentOptions.DefaultStateDirectory());
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
            var found = new JsonArray();
            foreach (RunningAgents.Entry agent in agents)
            {
                JsonNode? tunnels = await TunnelsAsync(http, agent, cancellationToken).ConfigureAwait(false);
                found.Add((JsonNode)new JsonObject { ["pid"] = agent.ProcessId, ["web_addr"] = agent.WebInterfaceUrl, ["tunnels"] = tunnels?["tunnels"]?.DeepClone() });
            }

            if (parse.GetValue(json))
            {
                Console.WriteLine(new JsonObject { ["agents"] = found }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                return agents.Count == 0 ? 1 : 0;
            }

            if (agents.Count == 0)
            {
                await Console.Error.WriteLineAsync("No burrow agent is running on this machine for this user (agents without a web interface, --web-addr false, are not listed).").ConfigureAwait(false);
                return 1;
            }

            bool urlsOnly = parse.GetValue(url);
            foreach (JsonNode? agent in found)
            {
                if (!urlsOnly)
                {
                    Console.WriteLine($"Agent (pid {agent!["pid"]}): web interface and agent API {agent["web_addr"]}");
                }

                foreach (JsonNode? tunnel in agent!["tunnels"]?.AsArray() ?? [])
                {
                    string publicUrl = tunnel?["public_url"]?.GetValue<string>() ?? "";
                    Console.WriteLine(urlsOnly ? publicUrl : $"  {tunnel?["name"]}  {publicUrl} -> {tunnel?["config"]?["addr"]}");
                }

                if (!urlsOnly && agent["tunnels"] is null)
                {
                    Console.WriteLine("  (its agent API did not answer)");
                }
            }

            return 0;
        });
        return command;
    }

    private static async Task<JsonNode?> TunnelsAsync(HttpClient http, RunningAgents.Entry agent, CancellationToken cancellationToken)
    {
        try
        {
            string body = await http.GetStringAsync(new Uri(new Uri(agent.WebInterfaceUrl), "/api/tunnels"), cancellationToken).ConfigureAwait(false);
            return JsonNode.Parse(body);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or UriFormatException)
        {
            return null;
        }
    }
}

using System.CommandLine;
using System.Text.Json.Serialization.Metadata;
using Burrow.Protocol.Errors;

namespace Burrow.Cli.Commands.Admin;

/// <summary>
/// <c>burrow admin domain policy set|show|clear</c> and <c>burrow admin address policy …</c>: the operator's traffic policy
/// pinned to a reservation, run before the agent's. A file is checked here first, so its mistakes name the file, line and
/// column before anything is sent; the edge checks it again (for the tunnel live on the name, if any) and stores nothing
/// it refuses.
/// </summary>
internal static class PinnedPolicyCommands
{
    /// <summary>What differs between a reserved hostname and a reserved port.</summary>
    /// <param name="Collection">The API's collection: <c>reserved_domains</c> or <c>reserved_addrs</c>.</param>
    /// <param name="TargetName">The argument naming the reservation.</param>
    /// <param name="TargetDescription">Its help.</param>
    /// <param name="Proto">The tunnel kind a file is checked for locally: http (hostnames), tcp (ports).</param>
    /// <param name="Resolve">From what the user typed to (id, name to print).</param>
    /// <param name="Info">The JSON of the reservation a PUT answers with.</param>
    internal sealed record Kind<T>(
        string Collection,
        string TargetName,
        string TargetDescription,
        string Proto,
        Func<AdminClient, string, CancellationToken, Task<(string Id, string Name)>> Resolve,
        JsonTypeInfo<T> Info);

    /// <summary>The POLICY column of a listing: whether one is pinned, and its size.</summary>
    public static string Summary(string? policy) => policy is null
        ? "-"
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"pinned ({policy.TrimEnd('\n').Split('\n').Length} lines)");

    public static Command Create<T>(AdminSettings settings, Kind<T> kind, string what)
    {
        var file = new Option<string>("--file", "-f") { Description = "The policy document (YAML or JSON: on_tcp_connect, on_http_request, on_http_response); see docs/traffic-policy.md.", Required = true };
        Argument<string> Target() => new(kind.TargetName) { Description = kind.TargetDescription };
        Argument<string> setTarget = Target();
        var set = new Command("set", $"Pin a traffic policy to the {what}: its rules run before those of the agent that binds it, and a live tunnel runs them from its next request.") { setTarget, file };
        set.SetAction(settings, async (parse, client, json, ct) =>
        {
            string path = parse.GetValue(file)!;
            (string? text, ProtocolError? invalid) = TrafficPolicyFileOption.Read(path, kind.Proto);
            if (invalid is not null)
            {
                throw new AdminCliException(invalid.Code, invalid.Message);
            }

            (string id, string name) = await kind.Resolve(client, parse.GetValue(setTarget)!, ct).ConfigureAwait(false);
            try
            {
                await client.PutTextAsync($"{kind.Collection}/{Uri.EscapeDataString(id)}/traffic_policy", text!, "application/yaml", kind.Info, ct).ConfigureAwait(false);
            }
            catch (AdminCliException ex) when (ex.Code == ErrorCodes.TrafficPolicyInvalid.Code)
            {
                // Refused by the edge only (a live tunnel of another kind, say): its lines are the file's.
                throw new AdminCliException(ex.Code, $"{path}: {ex.Message}", ex);
            }

            AdminOutput.Line(json ? client.LastBody : $"Pinned {path} to {name}.");
        });

        Argument<string> showTarget = Target();
        var show = new Command("show", $"Print the traffic policy pinned to the {what}.") { showTarget };
        show.SetAction(settings, async (parse, client, json, ct) =>
        {
            (string id, _) = await kind.Resolve(client, parse.GetValue(showTarget)!, ct).ConfigureAwait(false);
            string text = await client.GetTextAsync($"{kind.Collection}/{Uri.EscapeDataString(id)}/traffic_policy", ct).ConfigureAwait(false);
            Console.Out.Write(text.EndsWith('\n') ? text : text + "\n");
        });

        Argument<string> clearTarget = Target();
        var clear = new Command("clear", $"Clear the traffic policy pinned to the {what}; a live tunnel stops running it at once.") { clearTarget };
        clear.SetAction(settings, async (parse, client, json, ct) =>
        {
            (string id, string name) = await kind.Resolve(client, parse.GetValue(clearTarget)!, ct).ConfigureAwait(false);
            await client.DeleteAsync($"{kind.Collection}/{Uri.EscapeDataString(id)}/traffic_policy", ct).ConfigureAwait(false);
            AdminOutput.Line(json ? $"{{\"cleared\": \"{id}\"}}" : $"Cleared the traffic policy pinned to {name}.");
        });

        return new Command("policy", $"The operator's traffic policy pinned to a reserved {what}, run before the agent's.") { set, show, clear };
    }
}

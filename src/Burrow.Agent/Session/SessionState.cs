using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Burrow.Agent.Tunnels;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Serialization;

namespace Burrow.Agent.Session;

/// <summary>
/// What an agent remembers between runs for one configuration: the session to resume and the
/// hostname each tunnel had, so a restarted agent gets the same URLs back.
/// </summary>
internal sealed class SessionState
{
    public string? SessionId { get; set; }

    public Dictionary<string, RememberedTunnel> Tunnels { get; set; } = [];

    /// <summary>The file for this configuration: the same server and tunnels share one.</summary>
    public static string? PathFor(AgentOptions options)
    {
        if (options.StateDirectory is null)
        {
            return null;
        }

        var key = new StringBuilder(options.ServerAddress);
        foreach (TunnelDefinition tunnel in options.Tunnels)
        {
            key.Append('|').Append(ControlMessageSerializer.SerializeToJson(new BindMessage
            {
                RequestId = tunnel.Name,
                Proto = tunnel.Proto,
                Hostname = tunnel.Hostname,
                RemotePort = tunnel.RemotePort,
                Subdomain = tunnel.Subdomain,
                ForwardsTo = tunnel.Upstream.Display,
                Pooling = tunnel.Pooling,
                Options = tunnel.Options,
            }));
        }

        key.Append('|').Append(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(options.Authtoken))));
        string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key.ToString())))[..16].ToLowerInvariant();
        return Path.Combine(options.StateDirectory, $"agent-{hash}.json");
    }

    public static SessionState Load(string? path)
    {
        try
        {
            if (path is not null && File.Exists(path))
            {
                return JsonSerializer.Deserialize(File.ReadAllText(path), SessionStateJson.Default.SessionState) ?? new SessionState();
            }
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            // A damaged state file only costs the resume.
        }

        return new SessionState();
    }

    public void Save(string? path)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            string temp = path + ".tmp";
            File.WriteAllText(temp, JsonSerializer.Serialize(this, SessionStateJson.Default.SessionState));
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not being able to remember only costs the resume after a restart.
        }
    }
}

/// <summary>A tunnel as the edge last bound it.</summary>
internal sealed class RememberedTunnel
{
    public string TunnelId { get; set; } = "";

    public string Hostname { get; set; } = "";

    public List<string> Urls { get; set; } = [];
}

[JsonSerializable(typeof(SessionState))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
internal sealed partial class SessionStateJson : JsonSerializerContext;

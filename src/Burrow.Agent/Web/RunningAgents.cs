using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Burrow.Agent.Web;

/// <summary>
/// Where each running agent's web interface is, one small file per process in <c>agents/</c> of the state
/// directory. Port 4040 may belong to another program (another tunnel's agent, a second burrow that moved to 4041):
/// <c>burrow status</c> reads these files to reach burrow's own agents, and only those.
/// </summary>
internal static class RunningAgents
{
    /// <summary>A running agent: its process and web interface.</summary>
    /// <param name="ProcessId">The agent's process id.</param>
    /// <param name="WebInterfaceUrl">The inspector's and agent API's base URL, e.g. <c>http://127.0.0.1:4040</c>.</param>
    /// <param name="StartedAt">When the agent started.</param>
    public sealed record Entry(int ProcessId, string WebInterfaceUrl, DateTimeOffset StartedAt);

    /// <summary>The folder of the records under <paramref name="stateDirectory"/>.</summary>
    public static string FolderIn(string stateDirectory) => Path.Combine(stateDirectory, "agents");

    /// <summary>Records this process's web interface; returns the file to delete on exit, or <see langword="null"/> when it cannot be written.</summary>
    public static string? Record(string stateDirectory, string webInterfaceUrl)
    {
        string path = Path.Combine(FolderIn(stateDirectory), Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".json");
        var json = new JsonObject
        {
            ["pid"] = Environment.ProcessId,
            ["web_addr"] = webInterfaceUrl,
            ["started_at"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
        try
        {
            Directory.CreateDirectory(FolderIn(stateDirectory));
            File.WriteAllText(path, json.ToJsonString());
            return path;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Discovery is a convenience: the agent works without it.
            return null;
        }
    }

    /// <summary>Removes a record made by <see cref="Record"/>.</summary>
    public static void Forget(string? path)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A record left behind names a process that is gone; readers skip it.
        }
    }

    /// <summary>The agents whose records name a live process, oldest first; records of dead processes are removed.</summary>
    public static IReadOnlyList<Entry> List(string stateDirectory)
    {
        var entries = new List<Entry>();
        string folder = FolderIn(stateDirectory);
        if (!Directory.Exists(folder))
        {
            return entries;
        }

        foreach (string file in Directory.EnumerateFiles(folder, "*.json"))
        {
            if (Read(file) is not { } entry)
            {
                continue;
            }

            if (IsAlive(entry.ProcessId))
            {
                entries.Add(entry);
            }
            else
            {
                Forget(file);
            }
        }

        entries.Sort((a, b) => a.StartedAt.CompareTo(b.StartedAt));
        return entries;
    }

    private static Entry? Read(string file)
    {
        try
        {
            JsonNode? node = JsonNode.Parse(File.ReadAllText(file));
            return node?["pid"]?.GetValue<int>() is { } pid && node["web_addr"]?.GetValue<string>() is { } url
                ? new Entry(pid, url, DateTimeOffset.TryParse(node["started_at"]?.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTimeOffset at) ? at : default)
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static bool IsAlive(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            // No such process, or it exited while we looked.
            return false;
        }
    }
}

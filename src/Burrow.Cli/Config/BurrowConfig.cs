namespace Burrow.Cli.Config;

/// <summary>
/// The configuration after merging every file given (<c>--config a.yml,b.yml</c>): agent settings key by key with the
/// later file winning; endpoints and tunnels by name, an entry of a later file replacing the earlier one whole (so
/// lists inside an entry, such as basic_auth or allow_cidrs, are replaced, never concatenated).
/// </summary>
internal sealed class BurrowConfig
{
    /// <summary>The files that were read, in order; empty when the default file does not exist.</summary>
    public required IReadOnlyList<string> Files { get; init; }

    public AgentSettings Agent { get; init; } = new();

    public IReadOnlyList<EndpointConfig> Endpoints { get; init; } = [];

    public IReadOnlyList<string> Warnings { get; init; } = [];

    public static BurrowConfig Empty { get; } = new() { Files = [] };

    public EndpointConfig? Find(string name) => Endpoints.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.Ordinal));

    public static BurrowConfig Merge(IReadOnlyList<ConfigFile> files)
    {
        var agent = new AgentSettings();
        var endpoints = new List<EndpointConfig>();
        var warnings = new List<string>();
        foreach (ConfigFile file in files)
        {
            agent = agent.Overlay(file.Agent);
            warnings.AddRange(file.Warnings);
            foreach (EndpointConfig endpoint in file.Endpoints)
            {
                int existing = endpoints.FindIndex(e => string.Equals(e.Name, endpoint.Name, StringComparison.Ordinal));
                if (existing >= 0)
                {
                    endpoints[existing] = endpoint;
                }
                else
                {
                    endpoints.Add(endpoint);
                }
            }
        }

        return new BurrowConfig { Files = [.. files.Select(f => f.Path)], Agent = agent, Endpoints = endpoints, Warnings = warnings };
    }
}

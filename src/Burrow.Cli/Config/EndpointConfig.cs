using Burrow.Agent.Tunnels;

namespace Burrow.Cli.Config;

/// <summary>A named endpoint (version 3 <c>endpoints:</c>) or tunnel (version 2 <c>tunnels:</c>) of a config file, ready to start.</summary>
/// <param name="Name">The name <c>burrow start</c> takes.</param>
/// <param name="Location">Where it is defined.</param>
/// <param name="Tunnel">What the agent binds.</param>
internal sealed record EndpointConfig(string Name, SourceLocation Location, TunnelDefinition Tunnel);

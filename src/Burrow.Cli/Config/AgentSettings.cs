namespace Burrow.Cli.Config;

/// <summary>
/// The agent settings of a config file (<c>agent:</c> in version 3, the top level in version 2). Every value is
/// optional; <see langword="null"/> means "not set here", so a later file, an environment variable or a flag can fill it.
/// </summary>
internal sealed record AgentSettings
{
    public string? Authtoken { get; init; }

    /// <summary>The edge's agent address, host:port (<c>connect_url</c>, or <c>server_addr</c> in version 2).</summary>
    public string? ConnectUrl { get; init; }

    public string? ServerName { get; init; }

    /// <summary>A PEM CA file for the edge, made absolute against the config file's folder.</summary>
    public string? EdgeCa { get; init; }

    /// <summary>host:port for the inspector and agent API, or <c>false</c> for none.</summary>
    public string? WebAddr { get; init; }

    public string? Log { get; init; }

    public string? LogLevel { get; init; }

    public string? LogFormat { get; init; }

    /// <summary><c>true</c>, <c>false</c> or <c>iftty</c> (ngrok's values; true and iftty both mean "on a terminal").</summary>
    public string? ConsoleUi { get; init; }

    /// <summary>
    /// ngrok's <c>inspect_db_size</c>: the inspector's memory in bytes; 0 means the default and -1 turns inspection off
    /// for every tunnel.
    /// </summary>
    public long? InspectDbSize { get; init; }

    /// <summary>The HTTPS port of the local edge started when no server is configured.</summary>
    public int? LocalHttpsPort { get; init; }

    /// <summary><c>legs</c>: how many edges of a cluster to hold a session with at once (as <c>--legs</c>).</summary>
    public int? Legs { get; init; }

    /// <summary>These settings with every value <paramref name="later"/> sets taking its place (a later file wins, key by key).</summary>
    public AgentSettings Overlay(AgentSettings later) => new()
    {
        Authtoken = later.Authtoken ?? Authtoken,
        ConnectUrl = later.ConnectUrl ?? ConnectUrl,
        ServerName = later.ServerName ?? ServerName,
        EdgeCa = later.EdgeCa ?? EdgeCa,
        WebAddr = later.WebAddr ?? WebAddr,
        Log = later.Log ?? Log,
        LogLevel = later.LogLevel ?? LogLevel,
        LogFormat = later.LogFormat ?? LogFormat,
        ConsoleUi = later.ConsoleUi ?? ConsoleUi,
        LocalHttpsPort = later.LocalHttpsPort ?? LocalHttpsPort,
        Legs = later.Legs ?? Legs,
        InspectDbSize = later.InspectDbSize ?? InspectDbSize,
    };
}

using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Burrow.Agent.Tunnels;

/// <summary>
/// Where a tunnel forwards to, parsed from the command line: <c>8080</c>, <c>host:port</c>,
/// <c>http(s)://host[:port]</c>, or <c>file:///dir</c> (a built-in static file server).
/// </summary>
internal sealed record UpstreamTarget
{
    /// <summary><c>http</c>, <c>https</c>, <c>file</c>, <c>tcp</c> (raw bytes, for tcp tunnels), or <c>app</c> (served in-process).</summary>
    public required string Scheme { get; init; }

    /// <summary>The host to dial (empty for <c>file</c>).</summary>
    public string Host { get; init; } = "";

    /// <summary>The port to dial (0 for <c>file</c>).</summary>
    public int Port { get; init; }

    /// <summary>The directory served, for <c>file</c>.</summary>
    public string? Directory { get; init; }

    /// <summary>The upstream of a tunnel the program serves itself (<see cref="BurrowTunnel.ListenAsync"/>): nothing is dialled.</summary>
    internal static UpstreamTarget InProcess { get; } = new() { Scheme = "app" };

    /// <summary>Whether the upstream speaks TLS.</summary>
    public bool IsTls => Scheme == "https";

    /// <summary>The address as shown to people and sent to the edge, e.g. <c>http://localhost:8080</c> or <c>file:///srv/www</c>.</summary>
    public string Display => Scheme == "app"
        ? "in-process"
        : Scheme == "file"
        ? new Uri(Directory!).AbsoluteUri
        : Scheme == "tcp"
        ? string.Create(CultureInfo.InvariantCulture, $"{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}")
        : string.Create(CultureInfo.InvariantCulture, $"{Scheme}://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}");

    /// <summary>Parses an upstream argument.</summary>
    /// <param name="value">The argument, e.g. <c>8080</c>.</param>
    /// <param name="target">The upstream, when valid.</param>
    /// <param name="error">Why not, when invalid.</param>
    /// <returns>Whether the value is valid.</returns>
    public static bool TryParse(string value, [NotNullWhen(true)] out UpstreamTarget? target, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(value);
        target = null;
        value = value.Trim();
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int bare))
        {
            return CheckPort(bare, out error) && (target = new UpstreamTarget { Scheme = "http", Host = "localhost", Port = bare }) is not null;
        }

        if (value.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? fileUri) || !fileUri.IsFile)
            {
                error = $"'{value}' is not a file URL; use file:///absolute/path";
                return false;
            }

            string directory = fileUri.LocalPath;
            if (!System.IO.Directory.Exists(directory))
            {
                error = $"the directory '{directory}' does not exist";
                return false;
            }

            target = new UpstreamTarget { Scheme = "file", Directory = Path.GetFullPath(directory) };
            error = null;
            return true;
        }

        string withScheme = value.Contains("://", StringComparison.Ordinal) ? value : "http://" + value;
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
        {
            error = $"'{value}' is not an upstream; use a port (8080), host:port, http(s)://host:port or file:///dir";
            return false;
        }

        if (uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query))
        {
            error = $"'{value}' has a path; give only the scheme, host and port";
            return false;
        }

        target = new UpstreamTarget { Scheme = uri.Scheme, Host = uri.IdnHost.Trim('[', ']'), Port = uri.Port };
        error = null;
        return true;
    }

    /// <summary>Parses the upstream of a tcp tunnel: <c>5432</c> (on localhost) or <c>host:port</c>.</summary>
    /// <param name="value">The argument, e.g. <c>5432</c> or <c>db.internal:5432</c>.</param>
    /// <param name="target">The upstream, when valid.</param>
    /// <param name="error">Why not, when invalid.</param>
    /// <returns>Whether the value is valid.</returns>
    public static bool TryParseTcp(string value, [NotNullWhen(true)] out UpstreamTarget? target, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(value);
        target = null;
        value = value.Trim();
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int bare))
        {
            return CheckPort(bare, out error) && (target = new UpstreamTarget { Scheme = "tcp", Host = "localhost", Port = bare }) is not null;
        }

        if (value.Contains("://", StringComparison.Ordinal)
            || !Uri.TryCreate("tcp://" + value, UriKind.Absolute, out Uri? uri) || string.IsNullOrEmpty(uri.Host) || uri.IsDefaultPort
            || uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query))
        {
            error = $"'{value}' is not a tcp upstream; use a port (5432) or host:port";
            return false;
        }

        target = new UpstreamTarget { Scheme = "tcp", Host = uri.IdnHost.Trim('[', ']'), Port = uri.Port };
        error = null;
        return true;
    }

    private static bool CheckPort(int port, out string? error)
    {
        error = port is >= 1 and <= 65535 ? null : $"port {port} is out of range; use 1 to 65535";
        return error is null;
    }
}

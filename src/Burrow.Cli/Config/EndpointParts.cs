using System.Globalization;

namespace Burrow.Cli.Config;

/// <summary>Splits the address forms a config file uses: host:port, and endpoint URLs (https://name..., tcp://host:port, tls://name).</summary>
internal static class EndpointParts
{
    /// <summary>Whether <paramref name="value"/> is host:port (IPv6 in brackets) with a port from 1 to 65535.</summary>
    public static bool HasHostAndPort(string value)
    {
        int colon = value.LastIndexOf(':');
        if (colon <= 0 || colon == value.Length - 1)
        {
            return false;
        }

        string host = value[..colon];
        bool bracketed = host.StartsWith('[') && host.EndsWith(']');
        return (bracketed || !host.Contains(':', StringComparison.Ordinal))
            && !host.Contains('/', StringComparison.Ordinal)
            && int.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is >= 1 and <= 65535;
    }

    /// <summary>The tunnel protocol an endpoint URL asks for: tcp://, tls://, else http.</summary>
    public static string ProtoOf(string? url) =>
        url is null ? "http"
        : url.StartsWith("tcp://", StringComparison.OrdinalIgnoreCase) ? "tcp"
        : url.StartsWith("tls://", StringComparison.OrdinalIgnoreCase) ? "tls"
        : "http";

    /// <summary>The host of an endpoint URL, without scheme, port or path, lowercased; <see langword="null"/> for a bare scheme (a random name).</summary>
    public static string? HostOf(string url)
    {
        string host = url.Trim();
        int scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            host = host[(scheme + 3)..];
        }

        int cut = host.IndexOfAny(['/', '?']);
        if (cut >= 0)
        {
            host = host[..cut];
        }

        int colon = host.LastIndexOf(':');
        if (colon >= 0 && !host.EndsWith(']'))
        {
            host = host[..colon];
        }

        host = host.TrimEnd('.').ToLowerInvariant();
        return host.Length == 0 ? null : host;
    }

    /// <summary>The port of an endpoint URL such as <c>tcp://host:20001</c>, or <see langword="null"/> when it has none.</summary>
    public static int? PortOf(string url)
    {
        int scheme = url.IndexOf("://", StringComparison.Ordinal);
        string rest = scheme >= 0 ? url[(scheme + 3)..] : url;
        int colon = rest.LastIndexOf(':');
        return colon >= 0 && int.TryParse(rest[(colon + 1)..].TrimEnd('/'), NumberStyles.None, CultureInfo.InvariantCulture, out int port) ? port : null;
    }
}
